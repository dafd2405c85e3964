package anp

import (
	"context"
	"math/rand/v2"
	"testing"
)

func BenchmarkTrainStep(b *testing.B) {
	data := tinyData(b, 20, 50, 1)
	for _, lam := range []float64{0, 1} {
		m, _ := New(Config{}, rand.New(rand.NewPCG(1, 0)))
		b.Run(map[float64]string{0: "anp", 1: "softc"}[lam], func(b *testing.B) {
			for b.Loop() {
				_, err := Train(context.Background(), m, data, &Settings{MaxIter: 10, Lambda: lam})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
