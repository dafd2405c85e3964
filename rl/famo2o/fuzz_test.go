package famo2o

import (
	"errors"
	"math"
	"testing"
)

// FuzzDatasetCheck: Dataset.Check and New never panic on data sets of
// arbitrary dimensions, lengths and values; a data set that passes Check
// with the environment's dimensions builds a learner.
func FuzzDatasetCheck(f *testing.F) {
	f.Add(uint8(3), uint8(1), uint8(20), uint8(0), uint8(0), 0.5)
	f.Add(uint8(3), uint8(1), uint8(20), uint8(1), uint8(7), math.NaN())
	f.Add(uint8(0), uint8(1), uint8(0), uint8(2), uint8(0), 1.0)
	f.Fuzz(func(t *testing.T, od, ad, n, cut, at uint8, v float64) {
		d := &Dataset{ObsDim: int(od % 5), ActDim: int(ad % 3)}
		rows := int(n)
		d.Obs = make([]float64, rows*d.ObsDim)
		d.Next = make([]float64, rows*d.ObsDim)
		d.Act = make([]float64, rows*d.ActDim)
		d.Rew = make([]float64, rows)
		d.Terminal = make([]bool, rows)
		d.Timeout = make([]bool, rows)
		switch cut % 4 {
		case 1:
			if len(d.Obs) > 0 {
				d.Obs = d.Obs[:len(d.Obs)-1]
			}
		case 2:
			if len(d.Rew) > 0 {
				d.Rew[int(at)%len(d.Rew)] = v
			}
		case 3:
			if len(d.Act) > 0 {
				d.Act[int(at)%len(d.Act)] = v
			}
		}
		err := d.Check()
		if err != nil && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrDimension) && !errors.Is(err, ErrNotFinite) {
			t.Fatalf("unexpected error %v", err)
		}
		_, nerr := New(NewPendulum, d, &Settings{Hidden: []int{2}, BatchSize: 1})
		if err == nil && d.ObsDim == 3 && d.ActDim == 1 && nerr != nil {
			t.Fatalf("valid data set refused: %v", nerr)
		}
		if err != nil && nerr == nil {
			t.Fatal("New accepted a data set Check rejects")
		}
	})
}
