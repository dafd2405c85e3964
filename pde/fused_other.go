//go:build !amd64 || purego

package pde

// fusedBlock is the portable stand-in of the vector body: it does nothing,
// and [fusedDiag] runs its Go loop over every element.
func fusedBlock(v, mu, d, g []float64) (done int, gm, den float64, signs uint64) {
	return 0, 0, 0, 0
}
