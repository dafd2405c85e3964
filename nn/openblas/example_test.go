package openblas_test

import (
	"fmt"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/nn/openblas"
)

// Install OpenBLAS when the build has it, and fall back to pure Go.
func ExampleUse() {
	if err := openblas.Use(); err != nil {
		fmt.Println("pure Go")
		return
	}
	fmt.Println(nn.BLAS() != "go")
}
