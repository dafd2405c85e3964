package envs_test

import (
	"fmt"

	"github.com/optlearn/optlearn/rl/envs"
)

func ExampleDSTFront() {
	fmt.Println(envs.DSTFront()[9])
	// Output: [124 -19]
}

func ExampleFruitTree_Front() {
	ft, _ := envs.NewFruitTree(6)
	front, _ := ft.Front(1)
	fmt.Println(len(front), ft.Spec().Objectives)
	// Output: 64 6
}

func ExamplePendulumExpert() {
	// Hanging down at rest, the controller pumps energy in (+2 for θ̇ ≥ 0);
	// near the top it is a PD controller.
	fmt.Println(envs.PendulumExpert([]float64{-1, 0, 0}), envs.PendulumExpert([]float64{1, 0, 0.5}))
	// Output: 2 -1
}
