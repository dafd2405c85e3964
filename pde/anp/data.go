package anp

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/gpme"
)

// Family is one of the GPME training families of the paper.
type Family int

const (
	// Diffusion is u_t = k u_xx, u = e^{−kt} sin x on [0, 2π] × [0, 1],
	// trained on k ~ U[1, 5].
	Diffusion Family = iota
	// PME is the porous medium equation k(u) = u^m on [0, 1] × [0, 1],
	// trained on m ~ U[1, 6].
	PME
	// Stefan is the Stefan problem on [0, 1] × [0, 0.1], trained on
	// u* ~ U[0.55, 0.7].
	Stefan
)

// String returns the family's name.
func (f Family) String() string {
	switch f {
	case Diffusion:
		return "diffusion"
	case PME:
		return "PME"
	case Stefan:
		return "Stefan"
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// Range returns the paper's training range of the family's parameter.
func (f Family) Range() (lo, hi float64) {
	switch f {
	case PME:
		return 1, 6
	case Stefan:
		return 0.55, 0.7
	}
	return 1, 5
}

// CaseFor returns the GPME case of family f with parameter p (k, m or
// u*), named like the test cases ("Heat2.5", "PME3", "Stefan0.6"). It
// returns an error wrapping [ErrSettings] for an unknown family or a
// parameter the solution rejects.
func CaseFor(f Family, p float64) (gpme.Case, error) {
	if math.IsNaN(p) || math.IsInf(p, 0) || p <= 0 {
		return gpme.Case{}, fmt.Errorf("%w: %s parameter %v", ErrSettings, f, p)
	}
	switch f {
	case Diffusion:
		return gpme.Case{Name: fmt.Sprintf("Heat%g", p), Solution: pde.HeatPeriodic{K: p}, L: 2 * math.Pi, T: 1, TEval: 0.5}, nil
	case PME:
		return gpme.Case{Name: fmt.Sprintf("PME%g", p), Solution: pde.PME{M: p}, L: 1, T: 1, TEval: 0.5, NonNegative: true}, nil
	case Stefan:
		s, err := pde.NewStefan(p)
		if err != nil {
			return gpme.Case{}, fmt.Errorf("%w: %v", ErrSettings, err)
		}
		return gpme.Case{Name: fmt.Sprintf("Stefan%g", p), Solution: s, L: 1, T: 0.1, TEval: 0.05, NonNegative: true}, nil
	}
	return gpme.Case{}, fmt.Errorf("%w: unknown family %d", ErrSettings, int(f))
}

// FamilyOf returns the family of a GPME case by its solution type.
func FamilyOf(c gpme.Case) (Family, float64, error) {
	switch s := c.Solution.(type) {
	case pde.HeatPeriodic:
		return Diffusion, s.K, nil
	case pde.PME:
		return PME, s.M, nil
	case *pde.Stefan:
		return Stefan, s.UStar, nil
	}
	return 0, 0, fmt.Errorf("%w: case %q has a solution of type %T, not a GPME family", ErrSettings, c.Name, c.Solution)
}

// Function is one training function: a GPME solution with its context
// and target points in normalised coordinates τ = t/T, ξ = (x − X0)/L.
type Function struct {
	Family Family
	// Param is k (diffusion), m (PME) or u* (Stefan).
	Param float64
	// Case holds the solution and the domain.
	Case gpme.Case
	// CTau, CXi, CY are the contexts (the spec's 10 stratified times × 10
	// sorted positions); TTau, TXi, TY the targets: the contexts followed
	// by fresh uniform points.
	CTau, CXi, CY []float64
	TTau, TXi, TY []float64
}

// Normalize maps raw contexts of case c to normalised coordinates.
func Normalize(c gpme.Case, cx gpme.Contexts) (tau, xi, y []float64) {
	tau = make([]float64, len(cx.T))
	xi = make([]float64, len(cx.X))
	for i := range cx.T {
		tau[i] = cx.T[i] / c.T
		xi[i] = (cx.X[i] - c.X0) / c.L
	}
	return tau, xi, append([]float64(nil), cx.Y...)
}

// maxFunctions bounds the size of a generated data set.
const maxFunctions = 1 << 20

// MakeData draws n functions per family in fams: parameter uniform on
// the family's training range, the spec's 100 contexts (gpme.SampleContexts,
// fresh positions per time) and extra uniform target points. Everything
// is drawn from rng in order. It returns an error wrapping [ErrSettings]
// for n < 1, extra < 0, no family or a nil rng.
func MakeData(fams []Family, n, extra int, rng *rand.Rand) ([]Function, error) {
	if n < 1 || n > maxFunctions || extra < 0 || extra > maxPoints || len(fams) == 0 || rng == nil {
		return nil, fmt.Errorf("%w: MakeData needs families, 1 ≤ n ≤ %d, 0 ≤ extra ≤ %d and a *rand.Rand (n = %d, extra = %d)",
			ErrSettings, maxFunctions, maxPoints, n, extra)
	}
	var out []Function
	for _, f := range fams {
		lo, hi := f.Range()
		for i := 0; i < n; i++ {
			p := lo + (hi-lo)*rng.Float64()
			c, err := CaseFor(f, p)
			if err != nil {
				return nil, err
			}
			cx, err := gpme.SampleContexts(c, rng, false)
			if err != nil {
				return nil, fmt.Errorf("anp: %w", err)
			}
			fn := Function{Family: f, Param: p, Case: c}
			fn.CTau, fn.CXi, fn.CY = Normalize(c, cx)
			fn.TTau = append([]float64(nil), fn.CTau...)
			fn.TXi = append([]float64(nil), fn.CXi...)
			fn.TY = append([]float64(nil), fn.CY...)
			for k := 0; k < extra; k++ {
				tau, xi := rng.Float64(), rng.Float64()
				y := c.Solution.U(tau*c.T, c.X0+xi*c.L)
				fn.TTau = append(fn.TTau, tau)
				fn.TXi = append(fn.TXi, xi)
				fn.TY = append(fn.TY, y)
			}
			out = append(out, fn)
		}
	}
	return out, nil
}
