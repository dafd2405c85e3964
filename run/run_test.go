package run_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/optlearn/optlearn/run"
)

type iter struct {
	run.Progress
	X []float64
	F float64
}

func (it *iter) Summary() string { return "f " + strings.Repeat("*", int(it.F)) }

func (it *iter) Clone() iter {
	c := *it
	c.X = append([]float64(nil), it.X...)
	return c
}

// solve halves F until it is below 1, through a Loop.
func solve(ctx context.Context, rec run.Recorder[*iter], maxIter int) (run.Status, int, error) {
	it := &iter{X: []float64{8}, F: 8}
	loop := run.Loop[*iter]{Recorder: rec, MaxIter: maxIter}
	if err := loop.Start(it); err != nil {
		return run.RecorderStopped, 0, loop.End(it, run.RecorderStopped, err)
	}
	for {
		it.X[0] /= 2
		it.F = it.X[0]
		if st, err := loop.Next(ctx, it, it.F < 1); st != run.NotTerminated {
			return st, loop.Iterations(), loop.End(it, st, err)
		}
	}
}

func TestLoop(t *testing.T) {
	var h run.History[iter, *iter]
	st, n, err := solve(context.Background(), &h, 0)
	if st != run.Converged || n != 4 || err != nil {
		t.Fatalf("got %v after %d, err %v; want Converged after 4", st, n, err)
	}
	if h.Status != run.Converged || h.Len() != 5 {
		t.Fatalf("history: status %v, %d states; want Converged, 5", h.Status, h.Len())
	}
	got := h.Series(func(it *iter) float64 { return it.X[0] })
	want := []float64{8, 4, 2, 1, 0.5}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("X series %v, want %v (Clone must copy slices)", got, want)
		}
	}
	if h.Iters[2].Iteration != 2 || h.Iters[0].Event != run.Start {
		t.Errorf("progress not stamped: %+v", h.Iters[2].Progress)
	}

	st, n, err = solve(context.Background(), nil, 2)
	if st != run.IterationLimit || n != 2 || err != nil {
		t.Errorf("MaxIter 2: got %v after %d, err %v", st, n, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, _, err = solve(ctx, nil, 0)
	if st != run.Canceled || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: got %v, %v", st, err)
	}

	stop := errors.New("enough")
	rec := run.RecorderFunc[*iter](func(it *iter) error {
		if it.Iteration == 1 {
			return stop
		}
		return nil
	})
	st, n, err = solve(context.Background(), rec, 0)
	if st != run.RecorderStopped || n != 1 || !errors.Is(err, stop) || !errors.Is(err, run.ErrRecorderStopped) {
		t.Errorf("recorder stop: got %v after %d, %v", st, n, err)
	}
}

func TestPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := &run.Printer[*iter]{W: &buf, Interval: -1, Prefix: "demo: "}
	var h run.History[iter, *iter]
	if _, _, err := solve(context.Background(), run.Tee[*iter](p, nil, &h), 10); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{"demo: start  budget 10", "demo: iter 1/10", "eta", "demo: end Converged after 4 iterations"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	if h.Len() != 5 {
		t.Errorf("Tee: history has %d states, want 5", h.Len())
	}

	buf.Reset()
	p = &run.Printer[*iter]{W: &buf} // default interval: only start and end in a fast run
	solve(context.Background(), p, 10)
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Errorf("default interval printed %d lines, want 2:\n%s", n, buf.String())
	}
}

func TestStatus(t *testing.T) {
	for s := run.NotTerminated; s <= run.Failure; s++ {
		if strings.HasPrefix(s.String(), "Status(") {
			t.Errorf("status %d has no name", int(s))
		}
		if (s.Err() == nil) != (s.Success() || s == run.NotTerminated) {
			t.Errorf("%v: Err %v but Success %v", s, s.Err(), s.Success())
		}
	}
	if run.Status(99).String() != "Status(99)" || run.Status(99).Err() == nil {
		t.Error("unknown status")
	}
	if run.CheckTimeLimit(-time.Second) == nil || run.CheckTimeLimit(0) != nil {
		t.Error("CheckTimeLimit")
	}
}
