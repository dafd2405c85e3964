package learned

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/optlearn/optlearn/sched"
)

// tinySettings is a training run of a few seconds.
func tinySettings(seed uint64, workers int) *Settings {
	a, _ := sched.GenerateTaillard(6, 5, 11, 22)
	b, _ := sched.GenerateTaillard(5, 6, 33, 44)
	return &Settings{Instances: []*sched.Instance{a, b}, Updates: 2, Episodes: 4, PerInstance: 2, Epochs: 2, Minibatches: 4, SolverIter: 200,
		Workers: workers, Rand: rand.New(rand.NewPCG(seed, 0))}
}

func TestTrainDeterministic(t *testing.T) {
	var ws [][]float64
	for _, p := range []int{1, 2} {
		old := runtime.GOMAXPROCS(p)
		res, err := Train(context.Background(), nil, tinySettings(5, p+1))
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, res.Net.W)
	}
	if !slices.Equal(ws[0], ws[1]) {
		t.Fatal("weights differ between GOMAXPROCS 1 / 2 workers and GOMAXPROCS 2 / 3 workers")
	}
	n0, _ := NewNet(rand.New(rand.NewPCG(5, 0)))
	if slices.Equal(n0.W, ws[0]) {
		t.Fatal("training did not change the weights")
	}
}
