package bilevel_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// nanAfter wraps P2 and returns NaN gradients after a number of upper calls.
type nanAfter struct {
	*problems.SinePL
	calls, after int
}

func (p *nanAfter) UpperGrad(gx, gy, x, y []float64) {
	p.SinePL.UpperGrad(gx, gy, x, y)
	p.calls++
	if p.calls > p.after {
		gx[0] = math.NaN()
		gy[0] = math.NaN()
	}
}

func TestPenaltyBadInput(t *testing.T) {
	p := must(problems.NewSinePL(nil, 0))
	ctx := context.Background()
	var m bilevel.Penalty
	cases := []struct {
		name       string
		x0, y0, z0 []float64
		s          *bilevel.PenaltySettings
		want       error
	}{
		{"short x0", zeros(4), zeros(5), nil, nil, bilevel.ErrDimension},
		{"long y0", zeros(5), zeros(6), nil, nil, bilevel.ErrDimension},
		{"bad z0", zeros(5), zeros(5), zeros(3), nil, bilevel.ErrDimension},
		{"NaN x0", []float64{0, 0, math.NaN(), 0, 0}, zeros(5), nil, nil, bilevel.ErrNotFinite},
		{"sigma<0", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{Sigma: -1}, bilevel.ErrSettings},
		{"sigma tiny", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{Sigma: 1e-9}, bilevel.ErrSettings},
		{"sigma NaN", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{Sigma: math.NaN()}, bilevel.ErrSettings},
		{"negative alpha", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{Alpha: -1}, bilevel.ErrSettings},
		{"Rand without Stochastic", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{Rand: newRand(1)}, nil},
		{"wrong ProjX", zeros(5), zeros(5), nil, &bilevel.PenaltySettings{ProjX: &bilevel.Box{Lo: zeros(2), Hi: zeros(2)}}, bilevel.ErrDimension},
	}
	for _, c := range cases {
		_, err := m.Solve(ctx, p, c.x0, c.y0, c.z0, c.s)
		if c.want == nil {
			if err != nil { // SinePL is Stochastic, so Rand is fine here
				t.Errorf("%s: unexpected error %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// A deterministic problem with Rand set.
	q := must(problems.NewQuadratic(2, 3, 0.1, newRand(1)))
	if _, err := m.Solve(ctx, q, zeros(2), zeros(3), nil, &bilevel.PenaltySettings{Rand: newRand(1)}); !errors.Is(err, bilevel.ErrSettings) {
		t.Errorf("Rand with deterministic problem: %v", err)
	}
	// No Lipschitz constants and no Beta.
	type bare struct{ bilevel.Problem }
	if _, err := m.Solve(ctx, bare{q}, zeros(2), zeros(3), nil, nil); !errors.Is(err, bilevel.ErrSettings) {
		t.Errorf("no β: %v", err)
	}
	// Non-finite gradients: stop with an error and the last good iterate.
	bad := &nanAfter{SinePL: p, after: 200}
	res, err := m.Solve(ctx, bad, zeros(5), fill(5, 1), nil, &bilevel.PenaltySettings{Inner: 5})
	if !errors.Is(err, bilevel.ErrNotFinite) || res.Status != run.Failure {
		t.Errorf("NaN gradient: err %v status %v", err, res.Status)
	}
	if !linalg.AllFinite(res.X) || !linalg.AllFinite(res.Y) || !linalg.AllFinite(res.Z) || res.Iterations == 0 {
		t.Errorf("NaN gradient: last iterate %v %v %v after %d iterations", res.X, res.Y, res.Z, res.Iterations)
	}
}

// nanConstraint wraps R1 and makes the constraint NaN after some calls.
type nanConstraint struct {
	problems.LLCToy
	calls int
}

func (p *nanConstraint) Constraint(dst, x, y []float64) {
	p.LLCToy.Constraint(dst, x, y)
	p.calls++
	if p.calls > 50 {
		dst[0] = math.Inf(1)
	}
}

func TestLVHBABadInput(t *testing.T) {
	p := problems.LLCToy{N: 3}
	ctx := context.Background()
	var m bilevel.LVHBA
	cases := []struct {
		name   string
		x0, y0 []float64
		s      *bilevel.LVHBASettings
		want   error
	}{
		{"short x0", zeros(2), zeros(6), nil, bilevel.ErrDimension},
		{"short y0", zeros(3), zeros(5), nil, bilevel.ErrDimension},
		{"bad Lambda0", zeros(3), zeros(6), &bilevel.LVHBASettings{Lambda0: zeros(2)}, bilevel.ErrDimension},
		{"Inf y0", zeros(3), []float64{0, 0, 0, 0, 0, math.Inf(1)}, nil, bilevel.ErrNotFinite},
		{"p = 1", zeros(3), zeros(6), &bilevel.LVHBASettings{P: 1}, bilevel.ErrSettings},
		{"negative eta", zeros(3), zeros(6), &bilevel.LVHBASettings{Eta: -1}, bilevel.ErrSettings},
		{"wrong ProjC", zeros(3), zeros(6), &bilevel.LVHBASettings{ProjC: problems.LLCToy{N: 2}.ProjC()}, bilevel.ErrDimension},
	}
	for _, c := range cases {
		if _, err := m.Solve(ctx, p, c.x0, c.y0, c.s); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	bad := &nanConstraint{LLCToy: p}
	res, err := m.Solve(ctx, bad, fill(3, 10), fill(6, 10), &bilevel.LVHBASettings{MaxIter: 100})
	if !errors.Is(err, bilevel.ErrNotFinite) || res.Status != run.Failure || !linalg.AllFinite(res.X) || !linalg.AllFinite(res.Lambda) {
		t.Errorf("Inf constraint: err %v status %v x %v λ %v", err, res.Status, res.X, res.Lambda)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var m bilevel.Penalty
	res, err := m.Solve(ctx, must(problems.NewSinePL(nil, 0)), zeros(5), zeros(5), nil, nil)
	if !errors.Is(err, context.Canceled) || res.Status != run.Canceled || len(res.X) != 5 {
		t.Errorf("penalty: %v %v", err, res.Status)
	}
	var l bilevel.LVHBA
	r2, err := l.Solve(ctx, problems.LLCToy{N: 2}, zeros(2), zeros(4), nil)
	if !errors.Is(err, context.Canceled) || r2.Status != run.Canceled || len(r2.X) != 2 {
		t.Errorf("lvhba: %v %v", err, r2.Status)
	}
}

// The solvers allocate nothing per iteration: a long run allocates as much
// as a short one.
func TestNoAllocPerIteration(t *testing.T) {
	ctx := context.Background()
	p := must(problems.NewSinePL(nil, 0.1))
	var m bilevel.Penalty
	rng := newRand(1)
	for _, single := range []bool{false, true} {
		for _, stoch := range []bool{false, true} {
			allocs := func(k int) float64 {
				return testing.AllocsPerRun(3, func() {
					s := &bilevel.PenaltySettings{MaxIter: k, Tol: -1, SingleLoop: single}
					if stoch {
						s.Rand = rng
					}
					if _, err := m.Solve(ctx, p, zeros(5), zeros(5), nil, s); err != nil {
						t.Fatal(err)
					}
				})
			}
			if a, b := allocs(5), allocs(500); a != b {
				t.Errorf("penalty single=%v stoch=%v: %v allocs for 5 iterations, %v for 500", single, stoch, a, b)
			}
		}
	}
	r1 := problems.LLCToy{N: 10}
	pc := r1.ProjC()
	var l bilevel.LVHBA
	allocs := func(k int) float64 {
		return testing.AllocsPerRun(3, func() {
			if _, err := l.Solve(ctx, r1, fill(10, 10), fill(20, 10), &bilevel.LVHBASettings{MaxIter: k, ProjC: pc}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(5), allocs(500); a != b {
		t.Errorf("LV-HBA: %v allocs for 5 iterations, %v for 500", a, b)
	}
}
