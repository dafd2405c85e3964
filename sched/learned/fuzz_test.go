package learned_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/sched/learned"
)

// FuzzLoad feeds arbitrary bytes (and mutated valid files) to Load: it
// must return a network or an error, never panic.
func FuzzLoad(f *testing.F) {
	n, _ := learned.NewNet(rand.New(rand.NewPCG(1, 0)))
	var buf bytes.Buffer
	_ = n.Save(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte("OLSCHLRN"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := learned.Load(bytes.NewReader(b))
		if err == nil && len(m.W) != learned.NumParams {
			t.Fatalf("Load returned %d weights without an error", len(m.W))
		}
	})
}
