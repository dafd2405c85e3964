package libsvm_test

import (
	"fmt"
	"strings"

	"github.com/optlearn/optlearn/libsvm"
)

func ExampleRead() {
	// mushrooms-style labels {1,2}: 1 maps to -1 and 2 to +1.
	in := "1 1:1 3:0.5\n2 2:1\n"
	d, err := libsvm.Read(strings.NewReader(in), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Rows(), d.Features(), d.Y)
	idx, val := d.X.Row(0)
	fmt.Println(idx, val)
	// Output:
	// 2 3 [-1 1]
	// [0 2] [1 0.5]
}
