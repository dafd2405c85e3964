package pde

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzUpdateDiag checks the O(n) closed form against the general Cholesky
// path on random diagonal problems derived from the fuzz input.
func FuzzUpdateDiag(f *testing.F) {
	f.Add(uint64(1), uint8(5), 0.0, 1.0)
	f.Add(uint64(2), uint8(1), 0.5, -3.0)
	f.Add(uint64(3), uint8(64), 1e-6, 1e3)
	f.Fuzz(func(t *testing.T, seed uint64, n8 uint8, noise, b float64) {
		n := int(n8)%100 + 1
		if math.IsNaN(noise) || noise < 0 || noise > 1e6 || math.IsNaN(b) || math.Abs(b) > 1e6 {
			t.Skip()
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
		c := MassConstraint(g, b)
		c.NoiseVar = []float64{noise}
		m1, c1, err := ConservationUpdate(mu, d, c)
		if err != nil {
			t.Fatal(err)
		}
		m2, c2, err := ConservationUpdate(mu, &Full{Sigma: d.Dense()}, c)
		if err != nil {
			t.Fatal(err)
		}
		scale := 1 + math.Abs(b) + maxAbs(mu)
		for i := range m1 {
			if math.Abs(m1[i]-m2[i]) > 1e-9*scale {
				t.Fatalf("mean[%d]: closed form %g, Cholesky %g", i, m1[i], m2[i])
			}
		}
		if e := maxAbsDiff(c1.Dense(), c2.Dense()); e > 1e-9 {
			t.Fatalf("covariances differ by %g", e)
		}
	})
}

// FuzzFusedDiag checks the fused first pass of UpdateDiag (the AVX2 body
// on amd64 plus the Go tail) against a plain loop: v exactly, the two sums
// to rounding, and the negative-variance flag, for every length 0..300.
func FuzzFusedDiag(f *testing.F) {
	f.Add(uint64(1), uint16(0), false)
	f.Add(uint64(2), uint16(7), true)
	f.Add(uint64(3), uint16(299), false)
	f.Fuzz(func(t *testing.T, seed uint64, n16 uint16, negative bool) {
		n := int(n16) % 301
		rng := rand.New(rand.NewPCG(seed, 1))
		mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
		if negative && n > 0 {
			d[rng.IntN(n)] = -rng.Float64()
		}
		v := make([]float64, n)
		gm, den, neg := fusedDiag(v, mu, d, g)
		var wgm, wden, scale float64
		wneg := false
		for i := range d {
			if v[i] != d[i]*g[i] {
				t.Fatalf("v[%d] = %g, want %g", i, v[i], d[i]*g[i])
			}
			wgm += g[i] * mu[i]
			wden += d[i] * g[i] * g[i]
			scale += math.Abs(g[i]*mu[i]) + math.Abs(d[i]*g[i]*g[i])
			wneg = wneg || d[i] < 0
		}
		if math.Abs(gm-wgm) > 1e-13*(1+scale) || math.Abs(den-wden) > 1e-13*(1+scale) {
			t.Fatalf("n=%d: sums %g, %g; want %g, %g", n, gm, den, wgm, wden)
		}
		if neg != wneg {
			t.Fatalf("n=%d: negative flag %v, want %v", n, neg, wneg)
		}
	})
}

// FuzzStencil checks the finite-difference stencils on random grids and
// vectors: ⟨Du, v⟩ = ⟨u, Dᵀv⟩, and ApplyCols agrees with Apply.
func FuzzStencil(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(4), uint8(0))
	f.Add(uint64(2), uint8(2), uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, nt8, nx8, which uint8) {
		nt, nx := int(nt8)%20+2, int(nx8)%20+2
		g, err := NewGrid(nt, nx, 1/float64(nt), 1/float64(nx))
		if err != nil {
			t.Fatal(err)
		}
		axis, order := Axis(which%2), int(which/2%2)+1
		s, err := NewStencil(g, axis, order)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		u, v := randVec(rng, g.Size()), randVec(rng, g.Size())
		du, err := s.Apply(nil, u)
		if err != nil {
			t.Fatal(err)
		}
		dtv, err := s.ApplyT(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		var a, b, scale float64
		for i := range u {
			a += du[i] * v[i]
			b += u[i] * dtv[i]
			scale += math.Abs(du[i]*v[i]) + math.Abs(u[i]*dtv[i])
		}
		if math.Abs(a-b) > 1e-12*(1+scale) {
			t.Fatalf("<Du,v> = %g, <u,D^T v> = %g", a, b)
		}
		img, err := s.ApplyCols(nil, mat.NewDense(g.Size(), 1, u))
		if err != nil {
			t.Fatal(err)
		}
		for p := range du {
			if img.At(p, 0) != du[p] {
				t.Fatalf("ApplyCols[%d] = %g, Apply %g", p, img.At(p, 0), du[p])
			}
		}
	})
}
