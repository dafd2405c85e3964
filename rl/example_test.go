package rl_test

import (
	"fmt"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

func ExampleScalarize() {
	env, _ := rl.Scalarize(envs.NewDST(), []float64{0.5, 0.5})
	env.Reset(nil)
	r := make([]float64, 1)
	_, done, _ := env.Step(rl.Action{Discrete: 1}, r) // down: treasure 1 after one step
	fmt.Println(r[0], done == rl.Terminated)
	// Output: 0 true
}
