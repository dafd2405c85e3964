package anp

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"testing"
)

// Load never panics: arbitrary bytes, and arbitrary JSON inside gzip, are
// either a checkpoint or an error.
func FuzzLoad(f *testing.F) {
	m, _ := New(Architecture{Hidden: 4, Latent: 2, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	var good bytes.Buffer
	if err := m.Save(&good, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes(), false)
	f.Add([]byte(`{"format":"optlearn-pde-anp","version":1,"config":{"hidden":4,"latent":2,"heads":2},"tensors":[{"name":"det.W0","shape":[3,4],"data":"AAAA"}]}`), true)
	f.Add([]byte(`{"format":"optlearn-pde-anp","version":1,"config":{"hidden":3,"latent":1,"heads":2}}`), true)
	f.Add([]byte(`{"format":"optlearn-pde-anp","version":1,"config":{"hidden":1000000,"latent":1,"heads":1}}`), true)
	f.Fuzz(func(t *testing.T, b []byte, wrap bool) {
		if wrap {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		m, _, err := Load(bytes.NewReader(b))
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
	})
}
