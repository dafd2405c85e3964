package ef21

import (
	"fmt"

	"github.com/optlearn/optlearn/linalg"
)

// Server is the EF21/EF21-W server: it owns the iterate x and the aggregate
// g = Σᵢ wᵢ gᵢ, kept as a running sum of the clients' messages.
type Server struct {
	x, g  []float64
	w     []float64
	gamma float64
}

// NewServer returns a server at x0 (copied) with aggregation weights w
// (copied; wᵢ = 1/n for EF21, Lᵢ/ΣLⱼ for EF21-W) and step size gamma, and
// g = 0 until the initial messages are folded in. It returns an error
// wrapping ErrSettings for an empty w, a non-positive weight or step.
func NewServer(x0, w []float64, gamma float64) (*Server, error) {
	if len(w) == 0 || len(x0) == 0 {
		return nil, fmt.Errorf("%w: empty weights or x0", ErrDimension)
	}
	for _, v := range w {
		if !(v > 0) || !finite(v) {
			return nil, fmt.Errorf("%w: weight %v", ErrSettings, v)
		}
	}
	if !(gamma > 0) || !finite(gamma) {
		return nil, fmt.Errorf("%w: step size %v", ErrSettings, gamma)
	}
	return &Server{x: append([]float64(nil), x0...), g: make([]float64, len(x0)),
		w: append([]float64(nil), w...), gamma: gamma}, nil
}

// Fold adds client i's message: g ← g + wᵢ·msg. Calling it in client order
// makes the result independent of when the messages arrived. It panics if
// msg has the wrong dimension.
func (s *Server) Fold(i int, msg *linalg.Sparse) { msg.ScatterAdd(s.g, s.w[i]) }

// Step moves x ← x − γ·g and returns x, which the caller broadcasts and must
// not modify.
func (s *Server) Step() []float64 {
	linalg.Axpy(-s.gamma, s.g, s.x)
	return s.x
}

// X returns the current iterate (read only).
func (s *Server) X() []float64 { return s.x }

// G returns the aggregate g (read only).
func (s *Server) G() []float64 { return s.g }

// Gamma returns the step size.
func (s *Server) Gamma() float64 { return s.gamma }
