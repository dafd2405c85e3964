package game24

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl/mcts"
)

// BenchmarkMCTS times the annotation of one training problem (500
// iterations, 6 children per expansion, agent temperature 1.3) and reports
// MCTS simulations (iterations) per second.
func BenchmarkMCTS(b *testing.B) {
	train, _ := Split(Problems())
	k := 0
	for b.Loop() {
		root := Node{State: NewState(train[k%len(train)]), Agent: Agent{Temperature: 1.3}, World: DefaultWorld}
		if _, err := mcts.Run(context.Background(), root, &mcts.Settings{Rand: rand.New(rand.NewPCG(1, uint64(k)))}); err != nil {
			b.Fatal(err)
		}
		k++
	}
	b.ReportMetric(500*float64(b.N)/b.Elapsed().Seconds(), "sims/s")
}
