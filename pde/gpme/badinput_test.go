package gpme

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/optlearn/optlearn/pde"
)

// TestBadInput: every exported entry point of gpme returns a clear error
// (never a panic) for bad settings, sizes, cases and random sources.
func TestBadInput(t *testing.T) {
	bg := context.Background()
	c := Cases()[0]
	noSol := c
	noSol.Solution = nil
	badL := c
	badL.L = -1
	nanT := c
	nanT.TEval = math.NaN()
	run := func(c Case, i int, s *Settings) func() error {
		return func() error { _, err := Run(bg, c, i, s); return err }
	}
	cs := []struct {
		name string
		call func() error
		want error
	}{
		{"Run/negative Nodes", run(c, 0, &Settings{Nodes: -1}), pde.ErrSettings},
		{"Run/negative Draws", run(c, 0, &Settings{Draws: -5}), pde.ErrSettings},
		{"Run/Nodes 2", run(c, 0, &Settings{Nodes: 2}), pde.ErrSettings},
		{"Run/huge Nodes", run(c, 0, &Settings{Nodes: 1 << 30}), pde.ErrSettings},
		{"Run/huge Nodes with Full", run(c, 0, &Settings{Nodes: 5000, Full: true}), pde.ErrSettings},
		{"Run/huge Draws", run(c, 0, &Settings{Draws: 1 << 30}), pde.ErrSettings},
		{"Run/negative instance", run(c, -1, nil), pde.ErrSettings},
		{"Run/no solution", run(noSol, 0, nil), pde.ErrSettings},
		{"Run/negative L", run(badL, 0, nil), pde.ErrSettings},
		{"Run/NaN TEval", run(nanT, 0, nil), pde.ErrSettings},
		{"Run/bad GP setting", run(c, 0, &Settings{GP: pde.GPSettings{Noise: -1}}), pde.ErrSettings},
		{"Run/NaN GP setting", run(c, 0, &Settings{GP: pde.GPSettings{Variance: math.NaN()}}), pde.ErrSettings},
		{"Run/canceled", func() error {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			_, err := Run(ctx, c, 0, nil)
			return err
		}, context.Canceled},
		{"RunCases/n 0", func() error { _, err := RunCases(bg, Cases(), 0, nil); return err }, pde.ErrSettings},
		{"RunCases/no cases", func() error { _, err := RunCases(bg, nil, 1, nil); return err }, pde.ErrSettings},
		{"RunCases/bad settings", func() error { _, err := RunCases(bg, Cases(), 1, &Settings{Draws: -1}); return err }, pde.ErrSettings},
		{"RunCases/bad case", func() error { _, err := RunCases(bg, []Case{noSol}, 1, nil); return err }, pde.ErrSettings},
		{"SampleContexts/nil rng", func() error { _, err := SampleContexts(c, nil, false); return err }, pde.ErrSettings},
		{"SampleContexts/no solution", func() error {
			_, err := SampleContexts(noSol, rand.New(rand.NewPCG(1, 0)), false)
			return err
		}, pde.ErrSettings},
		{"CaseByName/unknown", func() error { _, err := CaseByName("nope"); return err }, pde.ErrSettings},
	}
	for _, tc := range cs {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, ok := (&Instance{}).Get(PC); ok {
		t.Error("Get on an empty instance found a result")
	}
	t.Logf("%d bad-input cases", len(cs)+1)
}

// TestRunCasesCancel: RunCases returns within 100 ms of cancel, with the
// context's error, and the Recorder sees End with Status Canceled.
func TestRunCasesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var h History
	done := make(chan error, 1)
	var canceledAt time.Time
	go func() {
		_, err := RunCases(ctx, Cases(), 1000, &Settings{Full: true, Diffusion: true, Latent: true, Recorder: &h})
		done <- err
	}()
	time.Sleep(150 * time.Millisecond)
	canceledAt = time.Now()
	cancel()
	select {
	case err := <-done:
		limit := 100 * time.Millisecond
		if raceEnabled {
			limit *= 10
		}
		if d := time.Since(canceledAt); d > limit {
			t.Errorf("returned %v after cancel", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		if h.Status.String() != "Canceled" {
			t.Errorf("status %v", h.Status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunCases did not return after cancel")
	}
}

// TestRandReproducible: Settings.Rand gives the same instance for the same
// seed, and nil Rand keeps the fixed instance streams.
func TestRandReproducible(t *testing.T) {
	c := Cases()[2]
	a, err := Run(context.Background(), c, 0, &Settings{Rand: rand.New(rand.NewPCG(7, 8))})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(context.Background(), c, 0, &Settings{Rand: rand.New(rand.NewPCG(7, 8))})
	f, _ := Run(context.Background(), c, 0, nil)
	ra, _ := a.Get(PC)
	rb, _ := b.Get(PC)
	rf, _ := f.Get(PC)
	if ra.MSE != rb.MSE || ra.ShockErr != rb.ShockErr {
		t.Errorf("same Rand seed, different results: %g %g", ra.MSE, rb.MSE)
	}
	if ra.MSE == rf.MSE {
		t.Error("Settings.Rand was ignored")
	}
	if a.Seed != 0 || f.Seed != InstanceSeed(0) {
		t.Errorf("Seed fields %d, %d", a.Seed, f.Seed)
	}
}
