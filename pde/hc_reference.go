package pde

import (
	"cmp"
	"context"
	"fmt"
	"math"
)

// DSReference is the reference solver of the reduced diffusion–sorption
// setup: explicit finite differences on Nodes uniform nodes of [0, 1] with
// time step DT (seconds) up to T,
//
//	u_i += DT·D/R(u_i)·(u_{i+1} − 2u_i + u_{i−1})/dx²,
//	u_0 = 1,  u_N = −(D/dx)·u_{N−1}/(1 − D/dx)  (the Robin condition u = D·u_x),
//
// sampled on a coarser output grid. The zero value is the spec's setting.
type DSReference struct {
	// Nodes is the number of solver nodes. Zero means 257.
	Nodes int
	// DT is the time step in seconds. Zero means 0.01.
	DT float64
	// D is the diffusion coefficient. Zero means 5e-4.
	D float64
}

// Solve integrates from the initial condition u0(x) and returns u on the
// output grid of nt times t_j = j·T/(nt−1) and nx nodes x_i = i/(nx−1)
// (time-major, the layout of [Grid]); (Nodes−1) must be a multiple of
// (nx−1) and T/(nt−1) a multiple of DT. It checks ctx every 1000 steps.
// It returns ErrSettings for bad sizes, a step beyond the explicit
// stability limit, or an IC that is not finite, and ctx's error.
func (s DSReference) Solve(ctx context.Context, u0 func(x float64) float64, t float64, nt, nx int) ([]float64, error) {
	nodes, dt, d := s.Nodes, s.DT, s.D
	nodes = cmp.Or(nodes, 257)
	dt = cmp.Or(dt, 0.01)
	d = cmp.Or(d, 5e-4)
	if u0 == nil || nodes < 3 || nodes > 1<<20 || nt < 2 || nx < 2 || (nodes-1)%(nx-1) != 0 || !(dt > 0) || !(d > 0) || !(t > 0) || math.IsInf(t, 0) {
		return nil, fmt.Errorf("%w: reference solver Nodes %d, DT %g, D %g, T %g, output %d×%d", ErrSettings, nodes, dt, d, t, nt, nx)
	}
	dx := 1 / float64(nodes-1)
	if dt*d/(dx*dx) > 0.5 {
		return nil, fmt.Errorf("%w: DT·D/dx² = %g exceeds the explicit limit 0.5", ErrSettings, dt*d/(dx*dx))
	}
	per := (t / float64(nt-1)) / dt
	steps := int(math.Round(per))
	if steps < 1 || math.Abs(per-float64(steps)) > 1e-9*per || steps > 1<<30/nt {
		return nil, fmt.Errorf("%w: output interval %g s is not a multiple of DT = %g s", ErrSettings, t/float64(nt-1), dt)
	}
	u := make([]float64, nodes)
	for i := range u {
		u[i] = u0(float64(i) * dx)
		if math.IsNaN(u[i]) || math.IsInf(u[i], 0) {
			return nil, fmt.Errorf("%w: initial condition at x = %g is %g", ErrSettings, float64(i)*dx, u[i])
		}
	}
	stride := (nodes - 1) / (nx - 1)
	out := make([]float64, nt*nx)
	sample := func(j int) {
		for i := 0; i < nx; i++ {
			out[j*nx+i] = u[i*stride]
		}
	}
	sample(0)
	next := make([]float64, nodes)
	c := dt * d / (dx * dx)
	robin := -(d / dx) / (1 - d/dx)
	count := 0
	for j := 1; j < nt; j++ {
		for range steps {
			count++
			if count%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			for i := 1; i < nodes-1; i++ {
				r, _ := Retardation(u[i])
				next[i] = u[i] + c/r*(u[i+1]-2*u[i]+u[i-1])
			}
			next[0] = 1
			next[nodes-1] = robin * next[nodes-2]
			u, next = next, u
		}
		sample(j)
	}
	return out, nil
}
