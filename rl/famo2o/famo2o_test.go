package famo2o

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/optlearn/optlearn/claims"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/run"
)

func tinyData(t testing.TB, k PendulumData, episodes int) *Dataset {
	t.Helper()
	d, err := PendulumDataset(context.Background(), k, episodes, rand.New(rand.NewPCG(7, uint64(k))))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func tinySettings(m Method) *Settings {
	return &Settings{Method: m, Hidden: []int{16, 16}, BatchSize: 32, OfflineSteps: 30, OnlineSteps: 30, EvalEvery: 15, EvalEpisodes: 2, Rand: rand.New(rand.NewPCG(3, 4))}
}

func TestEncode(t *testing.T) {
	e := Encode(nil, 2.5)
	for i := range 3 {
		u := 2.5 / math.Pow(10000, float64(2*i)/6)
		if math.Abs(e[2*i]-math.Sin(u)) > 1e-15 || math.Abs(e[2*i+1]-math.Cos(u)) > 1e-15 {
			t.Fatalf("enc(2.5) = %v", e)
		}
	}
	// encGrad is the derivative of <g, enc(β)>.
	g := []float64{0.3, -1, 2, 0.5, -0.7, 1.1}
	f := func(b float64) float64 {
		s := 0.0
		for i, v := range Encode(nil, b) {
			s += g[i] * v
		}
		return s
	}
	h := 1e-6
	num := (f(3+h) - f(3-h)) / (2 * h)
	if d := encGrad(g, 3); math.Abs(d-num) > 1e-7 {
		t.Fatalf("encGrad %v, finite difference %v", d, num)
	}
}

// TestUpdateStep runs a few updates of each method on a tiny data set:
// finite losses, actions in the box, β in range, and the whole schedule.
func TestUpdateStep(t *testing.T) {
	d := tinyData(t, D2Medium, 3)
	for _, m := range []Method{FamO2O, IQL, RandomBeta} {
		t.Run(m.String(), func(t *testing.T) {
			var h History
			s := tinySettings(m)
			s.Recorder = &h
			l, err := New(NewPendulum, d, s)
			if err != nil {
				t.Fatal(err)
			}
			res, err := l.Run(context.Background())
			if err != nil || res.Status != run.IterationLimit {
				t.Fatalf("Run: %v, %v", res.Status, err)
			}
			if res.Iterations != 60 || res.EnvSteps != 30 || len(res.Evals) != 3 || h.Len() != 61 || h.Status != run.IterationLimit {
				t.Fatalf("iterations %d, env steps %d, evals %v, recorded %d", res.Iterations, res.EnvSteps, res.Evals, h.Len())
			}
			if math.IsNaN(res.Final) || math.IsNaN(res.Offline) {
				t.Fatalf("final %v offline %v", res.Final, res.Offline)
			}
			for _, it := range h.Iters[1:] {
				ls := it.Losses
				for _, v := range []float64{ls.V, ls.Q, ls.Policy, ls.Balance, ls.MeanWeight} {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("losses %+v", ls)
					}
				}
				if m == FamO2O && ls.Alpha <= 0 {
					t.Fatalf("alpha %v", ls.Alpha)
				}
			}
			obs := []float64{1, 0, 0.5}
			rng := rand.New(rand.NewPCG(1, 1))
			for range 20 {
				a := l.Act(obs, false, rng)
				if len(a.Box) != 1 || math.Abs(a.Box[0]) > 2 {
					t.Fatalf("action %v", a.Box)
				}
				if b := l.Beta(obs, rng); m != IQL && (b < 1 || b > 5) {
					t.Fatalf("beta %v", b)
				}
			}
			if st := l.RecentStates(nil, 10); len(st) != 30 {
				t.Fatalf("RecentStates: %d values", len(st))
			}
		})
	}
}

// TestBalanceGradient checks the hand-written balance-model gradient
// (through the universal policy's reparameterised action, the sin/cos
// encoding and the tanh squashing) against finite differences.
func TestBalanceGradient(t *testing.T) {
	d := tinyData(t, D3Mixed, 2)
	l, err := New(NewPendulum, d, tinySettings(FamO2O))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 { // move the networks away from their initialisation
		if _, err := l.Update(Offline); err != nil {
			t.Fatal(err)
		}
	}
	l.sample()
	for i := range l.eps {
		l.eps[i] = l.rng.NormFloat64()
	}
	for i := range l.epsA {
		l.epsA[i] = l.rng.NormFloat64()
	}
	l.bLogStd[0] = -0.3
	const alpha = 0.7
	if _, _, err := l.balanceGrad(alpha); err != nil {
		t.Fatal(err)
	}
	g := [][]float64{}
	for _, v := range l.b.g {
		g = append(g, slices.Clone(v))
	}
	gls := l.bLogStdG[0]
	loss := func() float64 {
		v, _, err := l.balanceGrad(alpha)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(name string, p *float64, want float64) {
		h := 1e-6
		old := *p
		*p = old + h
		up := loss()
		*p = old - h
		dn := loss()
		*p = old
		num := (up - dn) / (2 * h)
		if math.Abs(num-want) > 1e-5*(1+math.Abs(num)) {
			t.Errorf("%s: gradient %.8g, finite difference %.8g", name, want, num)
		}
	}
	params := l.b.m.Params()
	for k, idx := range [][2]int{{0, 0}, {0, 5}, {1, 3}, {2, 7}, {3, 2}, {4, 0}, {5, 0}} {
		_ = k
		check("balance param", &params[idx[0]][idx[1]], g[idx[0]][idx[1]])
	}
	check("balance log-std", &l.bLogStd[0], gls)
}

// TestBetaMonotone trains FamO2O offline on a tiny data set: the mean
// squared distance between μ_u(s, β) and the data set action grows with β
// (claim A1's first part at a tiny budget).
func TestBetaMonotone(t *testing.T) {
	d := tinyData(t, D2Medium, 5)
	s := &Settings{Hidden: []int{32, 32}, BatchSize: 64, Rand: rand.New(rand.NewPCG(5, 6))}
	l, err := New(NewPendulum, d, s)
	if err != nil {
		t.Fatal(err)
	}
	for range 600 {
		if _, err := l.Update(Offline); err != nil {
			t.Fatal(err)
		}
	}
	msd := make([]float64, 5)
	var a []float64
	for b := range 5 {
		for i := 0; i < d.Len(); i += 2 {
			a = l.ActBeta(a, d.Obs[i*3:(i+1)*3], float64(b+1))
			msd[b] += (a[0] - d.Act[i]) * (a[0] - d.Act[i])
		}
	}
	if rho := claims.Spearman([]float64{1, 2, 3, 4, 5}, msd); rho < 0.8 {
		t.Errorf("MSD over β = 1..5: %v, Spearman %.2f < 0.8", msd, rho)
	}
}

// TestDeterministic: same seed, same bits, whatever GOMAXPROCS.
func TestDeterministic(t *testing.T) {
	d := tinyData(t, D3Mixed, 2)
	runOnce := func(procs int) Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		l, err := New(NewPendulum, d, tinySettings(FamO2O))
		if err != nil {
			t.Fatal(err)
		}
		res, err := l.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := runOnce(1), runOnce(4)
	if !slices.Equal(a.Evals, b.Evals) || math.Float64bits(a.Final) != math.Float64bits(b.Final) {
		t.Fatalf("runs differ: %v vs %v", a.Evals, b.Evals)
	}
}

// TestCancel: Run stops within 100 ms of the context's end, and can be continued.
func TestCancel(t *testing.T) {
	d := tinyData(t, D2Medium, 2)
	s := &Settings{Hidden: []int{64, 64}, BatchSize: 256}
	l, err := New(NewPendulum, d, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := l.Run(ctx)
	if el := time.Since(start); el > 150*time.Millisecond {
		t.Errorf("Run returned %v after start (deadline 50 ms)", el)
	}
	if res.Status != run.Canceled || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("status %v, err %v", res.Status, err)
	}
	if res.Iterations == s.OfflineSteps {
		t.Fatal("ran to the end")
	}
	// Generate and PendulumReference stop too.
	c2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, _, err := PendulumReference(c2, 2000, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, context.Canceled) {
		t.Fatalf("PendulumReference: %v", err)
	}
	if _, err := l.Evaluate(c2, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Evaluate: %v", err)
	}
}

// TestPendulumData checks the reference returns and data set returns
// against the spec's population values.
func TestPendulumData(t *testing.T) {
	rr, re, err := PendulumReference(context.Background(), 2000, rand.New(rand.NewPCG(11, 12)))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rr/-1230.5-1) > 0.03 || math.Abs(re/-150.2-1) > 0.04 {
		t.Errorf("reference returns random %.1f (spec -1230.5 ± 3%%), expert %.1f (spec -150.2 ± 4%%)", rr, re)
	}
	for _, c := range []struct {
		k    PendulumData
		want float64
		tol  float64
	}{{D1Random, -1232, 80}, {D2Medium, -492, 80}, {D3Mixed, -760, 120}, {D4MediumExpert, (-154 - 492) / 2.0, 80}} {
		d := tinyData(t, c.k, 100)
		if d.Len() != 20000 || math.Abs(d.MeanReturn()-c.want) > c.tol {
			t.Errorf("%v: %d transitions, mean return %.1f (spec about %.0f)", c.k, d.Len(), d.MeanReturn(), c.want)
		}
	}
}

// TestPolicySnapshot: Learner.Policy is a deep copy acting like the
// learner, usable with rl.Evaluate, and not changed by later updates.
func TestPolicySnapshot(t *testing.T) {
	d := tinyData(t, D3Mixed, 2)
	for _, m := range []Method{FamO2O, IQL, RandomBeta} {
		l, err := New(NewPendulum, d, tinySettings(m))
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if _, err := l.Update(Offline); err != nil {
				t.Fatal(err)
			}
		}
		p := l.Policy()
		obs := []float64{0.6, 0.8, -1}
		a0 := l.Act(obs, true, nil).Box[0]
		if b := p.Act(obs, true, nil).Box[0]; b != a0 {
			t.Fatalf("%v: snapshot acts %v, learner %v", m, b, a0)
		}
		if lp := p.LogProb(obs, rl.Action{Box: []float64{a0}}); math.IsNaN(lp) || math.IsInf(lp, 0) {
			t.Fatalf("%v: LogProb %v", m, lp)
		}
		for range 5 {
			if _, err := l.Update(Offline); err != nil {
				t.Fatal(err)
			}
		}
		if b := p.Clone().Act(obs, true, nil).Box[0]; b != a0 {
			t.Fatalf("%v: snapshot changed with the learner: %v vs %v", m, b, a0)
		}
		ret, n, err := rl.Evaluate(NewPendulum(), p, 2, 1, true, 300, rand.New(rand.NewPCG(1, 1)))
		if err != nil || len(ret) != 1 || n != 200 {
			t.Fatalf("%v: rl.Evaluate: %v %v", m, ret, err)
		}
	}
}

// TestSchedules: online only, offline only, and a Run continued after a
// time limit.
func TestSchedules(t *testing.T) {
	d := tinyData(t, D2Medium, 1)
	s := tinySettings(IQL)
	s.OfflineSteps = -1
	l, err := New(NewPendulum, d, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background())
	if err != nil || res.Iterations != 30 || len(res.Evals) != 3 || res.Evals[0].EnvSteps != 0 {
		t.Fatalf("online only: %+v, %v", res, err)
	}
	s = tinySettings(FamO2O)
	s.OnlineSteps = -1
	l, err = New(NewPendulum, d, s)
	if err != nil {
		t.Fatal(err)
	}
	res, err = l.Run(context.Background())
	if err != nil || res.Iterations != 30 || len(res.Evals) != 1 || res.Final != res.Offline || res.EnvSteps != 0 {
		t.Fatalf("offline only: %+v, %v", res, err)
	}
	res, err = l.Run(context.Background())
	if err != nil || res.Iterations != 0 || res.Status != run.IterationLimit {
		t.Fatalf("second Run of a finished schedule: %+v, %v", res, err)
	}
}
