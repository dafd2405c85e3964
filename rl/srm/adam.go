package srm

import "github.com/optlearn/optlearn/nn/optim"

// adamStep takes one Adam step. (optim.Adam.Step reports errors on the
// branch that validates its inputs; here its inputs come from this
// package.)
func adamStep(a *optim.Adam, params, grads [][]float64) error {
	a.Step(params, grads)
	return nil
}
