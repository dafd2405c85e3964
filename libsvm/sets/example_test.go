package sets_test

import (
	"fmt"

	"github.com/optlearn/optlearn/libsvm/sets"
)

func ExampleLoad() {
	d, err := sets.Load("australian")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Rows(), d.Features())
	// Output: 690 14
}
