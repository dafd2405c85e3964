package mcmc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// gauss is a correlated 2-D Gaussian with known moments.
type gauss struct{}

func (gauss) Dim() int { return 2 }
func (gauss) LogProb(g, x []float64) float64 {
	// precision of Σ = [[1, 0.9·2], [0.9·2, 4]]
	const rho = 0.9
	a, b := x[0], x[1]/2
	det := 1 - rho*rho
	lp := -(a*a - 2*rho*a*b + b*b) / (2 * det)
	g[0] = -(a - rho*b) / det
	g[1] = -(b - rho*a) / det / 2
	return lp
}

func TestHMCRecoversMoments(t *testing.T) {
	res, err := HMC(context.Background(), gauss{}, [][]float64{{3, -3}}, &Settings{Draws: 1500, Warmup: 500})
	if err != nil {
		t.Fatal(err)
	}
	var n, m0, m1, v0, v1 float64
	for _, ch := range res.Chains {
		for _, x := range ch {
			n++
			m0 += x[0]
			m1 += x[1]
			v0 += x[0] * x[0]
			v1 += x[1] * x[1]
		}
	}
	m0, m1 = m0/n, m1/n
	v0, v1 = v0/n-m0*m0, v1/n-m1*m1
	if math.Abs(m0) > 0.1 || math.Abs(m1) > 0.2 || math.Abs(v0-1) > 0.15 || math.Abs(v1-4) > 0.6 {
		t.Errorf("moments: means %.3f %.3f, variances %.3f %.3f", m0, m1, v0, v1)
	}
	for j, r := range SplitRhat(res.Chains) {
		if r > 1.05 {
			t.Errorf("R-hat[%d] = %.3f", j, r)
		}
	}
	for j, e := range BulkESS(res.Chains) {
		if e < 400 {
			t.Errorf("ESS[%d] = %.0f", j, e)
		}
	}
	// same seed, same bits
	again, _ := HMC(context.Background(), gauss{}, [][]float64{{3, -3}}, &Settings{Draws: 1500, Warmup: 500})
	if again.Chains[3][1499][1] != res.Chains[3][1499][1] {
		t.Error("not deterministic")
	}
}

func TestRWM(t *testing.T) {
	res, err := RWM(context.Background(), gauss{}, [][]float64{{0, 0}}, &Settings{Draws: 4000, Rand: rand.New(rand.NewPCG(2, 0))})
	if err != nil || res.AcceptRate < 0.1 || res.AcceptRate > 0.5 {
		t.Fatalf("accept %.3f, %v", res.AcceptRate, err)
	}
}

// Diagnostics on independent draws: R-hat near 1, ESS near the number of
// draws; on chains stuck at different values, R-hat far above 1.
func TestDiagnostics(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	iid := make([][][]float64, 4)
	stuck := make([][][]float64, 4)
	for c := range iid {
		for k := 0; k < 1000; k++ {
			iid[c] = append(iid[c], []float64{rng.NormFloat64()})
			stuck[c] = append(stuck[c], []float64{float64(c) + 0.1*rng.NormFloat64()})
		}
	}
	if r := SplitRhat(iid)[0]; math.Abs(r-1) > 0.01 {
		t.Errorf("iid R-hat %.4f", r)
	}
	if e := BulkESS(iid)[0]; e < 3000 || e > 5000 {
		t.Errorf("iid ESS %.0f of 4000", e)
	}
	if r := SplitRhat(stuck)[0]; r < 2 {
		t.Errorf("stuck chains R-hat %.3f", r)
	}
}

type panicky struct{ gauss }

func (panicky) LogProb(g, x []float64) float64 {
	if x[0] > 1 {
		panic("user bug")
	}
	return gauss{}.LogProb(g, x)
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		p      LogDensity
		starts [][]float64
		s      *Settings
		err    error
	}{
		{"nil density", nil, [][]float64{{0, 0}}, nil, ErrSettings},
		{"no start", gauss{}, nil, nil, ErrSettings},
		{"short start", gauss{}, [][]float64{{0}}, nil, ErrDimension},
		{"NaN start", gauss{}, [][]float64{{math.NaN(), 0}}, nil, ErrNotFinite},
		{"zero draws", gauss{}, [][]float64{{0, 0}}, &Settings{Draws: -1}, ErrSettings},
		{"accept 1", gauss{}, [][]float64{{0, 0}}, &Settings{TargetAccept: 1}, ErrSettings},
		{"scale length", gauss{}, [][]float64{{0, 0}}, &Settings{Scale: []float64{1}}, ErrDimension},
		{"panicking density", panicky{}, [][]float64{{0, 0}}, &Settings{Warmup: 50, Draws: 50}, ErrPanic},
	} {
		for _, f := range []Sampler{HMC, NUTS} {
			if _, err := f(ctx, c.p, c.starts, c.s); !errors.Is(err, c.err) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := HMC(cctx, gauss{}, [][]float64{{0, 0}}, &Settings{Draws: 1 << 30}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 150*time.Millisecond {
		t.Errorf("cancel: %v after %v", err, time.Since(start))
	}
	defer goleak.VerifyNone(t)
	nctx, ncancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer ncancel()
	start = time.Now()
	if _, err := NUTS(nctx, gauss{}, [][]float64{{0, 0}}, &Settings{Draws: 1 << 30}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 150*time.Millisecond {
		t.Errorf("NUTS cancel: %v after %v", err, time.Since(start))
	}
}
