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
