package ef21_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/run"
)

// faulty is a sequential Transport that misbehaves from round `from` on:
// mode "err" returns errLost, "grad" returns a gradient of the wrong
// length, "msg" a message of the wrong dimension, "start" fails Start.
type faulty struct {
	sequential
	mode string
	from int
}

var errLost = errors.New("client 2 lost")

func (q *faulty) Start(ctx context.Context, s *ef21.Setup) error {
	if q.mode == "start" {
		return errLost
	}
	return q.sequential.Start(ctx, s)
}

func (q *faulty) Round(ctx context.Context, t int, x []float64, up []ef21.Upload) error {
	if err := q.sequential.Round(ctx, t, x, up); err != nil {
		return err
	}
	if t < q.from {
		return nil
	}
	switch q.mode {
	case "err":
		return errLost
	case "grad":
		up[2].Grad = up[2].Grad[:1]
	case "msg":
		up[2].Msg.N++
	}
	return nil
}

// TestTransportErrors checks what Run does with a Transport that fails:
// no run if Start fails; a run that stops with Status Failure, the
// transport's error (wrapped, naming the round) and the last good iterate
// if a Round fails or returns an upload of the wrong size.
func TestTransportErrors(t *testing.T) {
	p := r1(t, 10)
	x0 := make([]float64, p.Dim())
	ref, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, &ef21.Settings{Weighted: true, MaxIter: 4, Tol: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mode string
		want error
	}{
		{"start", errLost},
		{"err", errLost},
		{"grad", ef21.ErrDimension},
		{"msg", ef21.ErrDimension},
	} {
		tr := &faulty{sequential: sequential{o: p}, mode: c.mode, from: 5}
		r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0,
			&ef21.Settings{Weighted: true, MaxIter: 10, Tol: -1, Transport: tr})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.mode, err, c.want)
			continue
		}
		if c.mode == "start" {
			if r.X != nil || r.Iterations != 0 || r.Status != run.Failure {
				t.Errorf("start: a run happened: %+v", r)
			}
			continue
		}
		if r.Status != run.Failure || r.Iterations != 4 {
			t.Errorf("%s: status %v after %d rounds, want Failure after 4", c.mode, r.Status, r.Iterations)
		}
		for j := range r.X {
			if r.X[j] != ref.X[j] {
				t.Errorf("%s: X differs from the last good iterate at %d", c.mode, j)
				break
			}
		}
	}
}

// TestSetupNewClientBadInput covers Setup.NewClient and Client.Answer with
// bad arguments: each case gives an error wrapping the sentinel, never a
// panic.
func TestSetupNewClientBadInput(t *testing.T) {
	p := r1(t, 10)
	n, d := p.N(), p.Dim()
	good := func() *ef21.Setup {
		return &ef21.Setup{N: n, Dim: d, Clients: make([]ef21.ClientSettings, n), Alpha: ef21.TopK{K: 1}.Alpha(d)}
	}
	cases := []struct {
		name string
		mod  func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor)
		want error
	}{
		{"nil oracle", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { return nil, 0, ef21.TopK{K: 1} }, ef21.ErrSettings},
		{"nil compressor", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { return p, 0, nil }, ef21.ErrSettings},
		{"index -1", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { return p, -1, ef21.TopK{K: 1} }, ef21.ErrSettings},
		{"index n", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { return p, n, ef21.TopK{K: 1} }, ef21.ErrSettings},
		{"other compressor", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { return p, 0, ef21.RandK{K: 2} }, ef21.ErrSettings},
		{"wrong dimension", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) { s.Dim++; return p, 0, ef21.TopK{K: 1} }, ef21.ErrDimension},
		{"wrong n", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) {
			s.N++
			s.Clients = append(s.Clients, ef21.ClientSettings{})
			return p, 0, ef21.TopK{K: 1}
		}, ef21.ErrDimension},
		{"short Clients", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) {
			s.Clients = s.Clients[:1]
			return p, 0, ef21.TopK{K: 1}
		}, ef21.ErrDimension},
		{"P > 1", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) {
			s.Clients[0].P = 2
			return p, 0, ef21.TopK{K: 1}
		}, ef21.ErrSettings},
		{"scale NaN", func(s *ef21.Setup) (ef21.Oracle, int, ef21.Compressor) {
			s.Clients[0].Scale = math.NaN()
			return p, 0, ef21.TopK{K: 1}
		}, ef21.ErrSettings},
	}
	for _, c := range cases {
		s := good()
		o, i, comp := c.mod(s)
		if _, err := s.NewClient(o, i, comp); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	var nilSetup *ef21.Setup
	if _, err := nilSetup.NewClient(p, 0, ef21.TopK{K: 1}); !errors.Is(err, ef21.ErrSettings) {
		t.Errorf("nil setup: %v, want ErrSettings", err)
	}
	cl, err := good().NewClient(p, 0, ef21.TopK{K: 1})
	if err != nil {
		t.Fatal(err)
	}
	var up ef21.Upload
	for _, c := range []struct {
		name string
		up   *ef21.Upload
		x    []float64
	}{
		{"nil upload", nil, make([]float64, d)},
		{"short x", &up, make([]float64, d-1)},
		{"short x, round 1", &up, make([]float64, d-1)},
	} {
		round := 0
		if c.name == "short x, round 1" {
			round = 1
		}
		if err := cl.Answer(c.up, round, c.x); !errors.Is(err, ef21.ErrDimension) {
			t.Errorf("Answer %s: %v, want ErrDimension", c.name, err)
		}
	}
	t.Logf("%d bad-input cases", len(cases)+4)
}
