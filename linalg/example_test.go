package linalg_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

func ExampleTopK() {
	x := []float64{0.5, -4, 3, 0, -3, 1}
	var msg linalg.Sparse
	linalg.TopK(&msg, x, 3)
	fmt.Println(msg.Index, msg.Value)
	fmt.Println("bits:", msg.Bits(), "dense bits:", linalg.DenseBits(len(x)))
	// Output:
	// [1 2 4] [-4 3 -3]
	// bits: 201 dense bits: 384
}

func ExampleRandK() {
	x := []float64{10, 20, 30, 40, 50}
	rng := rand.New(rand.NewPCG(1, 2))
	var msg linalg.Sparse
	linalg.RandK(&msg, x, 2, rng)
	fmt.Println(len(msg.Index), msg.N)
	// Output: 2 5
}

func ExampleSparse_ScatterAdd() {
	var msg linalg.Sparse
	msg.Reset(4)
	msg.Append(0, 1)
	msg.Append(3, 2)
	y := []float64{1, 1, 1, 1}
	msg.ScatterAdd(y, 0.5)
	fmt.Println(y)
	// Output: [1.5 1 1 2]
}

func ExampleDot() {
	fmt.Println(linalg.Dot([]float64{1, 2, 3}, []float64{4, 5, 6}))
	// Output: 32
}

func ExampleAxpy() {
	y := []float64{1, 1}
	linalg.Axpy(2, []float64{3, 4}, y)
	fmt.Println(y)
	// Output: [7 9]
}

func ExampleNrm2() {
	fmt.Printf("%.6g\n", linalg.Nrm2([]float64{3e200, 4e200}))
	// Output: 5e+200
}

func ExampleCSR_MulVec() {
	a, err := linalg.NewCSR(2, 3, []linalg.Triplet{{Row: 0, Col: 0, Val: 1}, {Row: 1, Col: 2, Val: 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	y := make([]float64, 2)
	a.MulVec(y, []float64{5, 6, 7})
	fmt.Println(y)
	// Output: [5 14]
}

func ExampleDotIdx() {
	// A row of a sparse matrix (columns 0 and 3) times a dense vector.
	fmt.Println(linalg.DotIdx([]float64{2, -1}, []int{0, 3}, []float64{1, 1, 1, 5}))
	// Output: -3
}

func ExampleAxpyIdx() {
	y := make([]float64, 4)
	linalg.AxpyIdx(0.5, []float64{2, 4}, []int{1, 3}, y)
	fmt.Println(y)
	// Output: [0 1 0 2]
}
