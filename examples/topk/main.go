// Command topk compresses a long vector with linalg.TopK and linalg.RandK
// and checks the contraction properties that the EF21 family relies on:
// TopK keeps exactly the k largest magnitudes and never loses more than a
// fraction 1-k/d of the squared norm, and RandK (unscaled) loses that
// fraction on average.
//
//	go run ./examples/topk            # d = 1e6, k = d/100, 1000 RandK draws
//	go run ./examples/topk -json      # ... and a JSON report as the last line
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/linalg"
)

func main() {
	quick := flag.Bool("quick", true, "quick run (the full run uses more vectors and draws)")
	asJSON := flag.Bool("json", false, "end the output with a JSON report")
	d := flag.Int("d", 1_000_000, "dimension")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *d < 100 {
		log.Fatal("topk: -d must be at least 100")
	}
	draws, vectors := 1000, 3
	if !*quick {
		draws, vectors = 10000, 10
	}
	k := *d / 100
	rng := rand.New(rand.NewPCG(*seed, 0))
	rep := claims.Report{Example: "topk"}
	x := make([]float64, *d)
	var msg linalg.Sparse

	// TopK on vectors of different shapes: Gaussian, heavy-tailed (Cauchy),
	// and one with heavy ties (integers in -3..3).
	exact, worstRatio := true, 0.0
	var topkTime time.Duration
	for v := 0; v < vectors; v++ {
		fill(x, v%3, rng)
		start := time.Now()
		linalg.TopK(&msg, x, k)
		topkTime += time.Since(start)
		ok := keepsLargest(x, &msg, k)
		exact = exact && ok
		var kept float64
		for _, val := range msg.Value {
			kept += val * val
		}
		norm := linalg.SqNorm(x)
		ratio := (norm - kept) / norm / (1 - float64(k)/float64(*d))
		worstRatio = math.Max(worstRatio, ratio)
		fmt.Printf("TopK   vector %d (%s): keeps the %d largest: %v, ||TopK(x)-x||^2 / ((1-k/d)||x||^2) = %.4g\n",
			v, shapeName(v%3), k, ok, ratio)
	}
	topkTime /= time.Duration(vectors)
	rep.Add("TopK keeps exactly the k largest magnitudes",
		"TopK(x) keeps the k entries of largest |x_i| (ties: lower index)",
		fmt.Sprintf("%d vectors, d=%d, k=%d: all exact = %v", vectors, *d, k, exact), exact)
	rep.Add("TopK contraction",
		"||TopK(x)-x||^2 <= (1-k/d)||x||^2 for every x",
		fmt.Sprintf("worst ratio to the bound %.4f over %d vectors", worstRatio, vectors), worstRatio <= 1+1e-12)

	// RandK: the mean loss over many draws equals (1-k/d)||x||^2.
	fill(x, 0, rng)
	norm := linalg.SqNorm(x)
	var mean float64
	start := time.Now()
	for range draws {
		linalg.RandK(&msg, x, k, rng)
		var kept float64
		for _, val := range msg.Value {
			kept += val * val
		}
		mean += (norm - kept) / float64(draws)
	}
	randkTime := time.Since(start) / time.Duration(draws)
	want := (1 - float64(k)/float64(*d)) * norm
	rel := math.Abs(mean-want) / want
	fmt.Printf("RandK  mean ||RandK(x)-x||^2 over %d draws = %.6g, (1-k/d)||x||^2 = %.6g, relative gap %.2e\n", draws, mean, want, rel)
	fmt.Printf("time per call: TopK %v (mean of %d calls, the first allocating its buffers), RandK %v (d=%d, k=%d, kernels: %s)\n", topkTime, vectors, randkTime, *d, k, linalg.KernelPath())
	rep.Add("RandK mean contraction",
		"E||RandK(x)-x||^2 = (1-k/d)||x||^2 (mean of 1000 draws within 2%)",
		fmt.Sprintf("relative gap %.2e over %d draws", rel, draws), rel <= 0.02)
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

func shapeName(s int) string {
	return [...]string{"Gaussian", "Cauchy", "ties"}[s]
}

func fill(x []float64, shape int, rng *rand.Rand) {
	for i := range x {
		switch shape {
		case 0:
			x[i] = rng.NormFloat64()
		case 1:
			x[i] = math.Tan(math.Pi * (rng.Float64() - 0.5))
		default:
			x[i] = float64(rng.IntN(7) - 3)
		}
	}
}

// keepsLargest checks msg against the definition: k entries, each kept
// magnitude at least every dropped one, and among equal magnitudes at the
// boundary the lower indices kept.
func keepsLargest(x []float64, msg *linalg.Sparse, k int) bool {
	if msg.NNZ() != k || msg.N != len(x) {
		return false
	}
	kept := make([]bool, len(x))
	minKept, maxKeptIdxAtMin := math.Inf(1), -1
	for j, i := range msg.Index {
		if x[i] != msg.Value[j] {
			return false
		}
		kept[i] = true
		a := math.Abs(x[i])
		if a < minKept {
			minKept, maxKeptIdxAtMin = a, i
		} else if a == minKept {
			maxKeptIdxAtMin = max(maxKeptIdxAtMin, i)
		}
	}
	for i, v := range x {
		if kept[i] {
			continue
		}
		a := math.Abs(v)
		if a > minKept || (a == minKept && i < maxKeptIdxAtMin) {
			return false
		}
	}
	return true
}
