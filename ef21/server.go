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
// wrapping ErrDimension for an empty w or x0 and ErrSettings for a
// non-positive or non-finite weight or step, and ErrNotFinite for a
// non-finite x0.
func NewServer(x0, w []float64, gamma float64) (*Server, error) {
	if len(w) == 0 || len(x0) == 0 {
		return nil, fmt.Errorf("%w: empty weights or x0", ErrDimension)
	}
	if !linalg.AllFinite(x0) {
		return nil, fmt.Errorf("%w: x0", ErrNotFinite)
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
// makes the result independent of when the messages arrived. It returns an
// error wrapping ErrDimension for a client index outside [0, n), a nil
// message, or a message of the wrong dimension or with an index outside
// it; g is then unchanged.
func (s *Server) Fold(i int, msg *linalg.Sparse) error {
	switch {
	case i < 0 || i >= len(s.w):
		return fmt.Errorf("%w: client %d of %d", ErrDimension, i, len(s.w))
	case msg == nil:
		return fmt.Errorf("%w: client %d: nil message", ErrDimension, i)
	case msg.N != len(s.g) || len(msg.Index) != len(msg.Value):
		return fmt.Errorf("%w: client %d: message of dimension %d (%d indices, %d values), want %d", ErrDimension, i, msg.N, len(msg.Index), len(msg.Value), len(s.g))
	}
	for _, j := range msg.Index {
		if j < 0 || j >= len(s.g) {
			return fmt.Errorf("%w: client %d: message index %d outside [0, %d)", ErrDimension, i, j, len(s.g))
		}
	}
	msg.ScatterAdd(s.g, s.w[i])
	return nil
}

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
