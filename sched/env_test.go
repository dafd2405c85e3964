package sched_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

// TestA4EnvEqualsFastPath checks that the CP environment with a PDR and no
// No-Op builds exactly the fast path's schedule.
func TestA4EnvEqualsFastPath(t *testing.T) {
	var insts []*sched.Instance
	for _, name := range []string{"ft06", "la01", "ta01"} {
		insts = append(insts, mustLoad(t, name))
	}
	for i := 0; i < 5; i++ {
		in, err := sched.GenerateTaillard(4+3*i, 3+i, int64(1000+i), int64(77+i))
		if err != nil {
			t.Fatal(err)
		}
		in.Name = fmt.Sprintf("gen%d", i)
		insts = append(insts, in)
	}
	for _, in := range insts {
		env, err := sched.NewEnv(in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sched.Rules {
			fast, err := sched.NonDelay(in, r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sched.Dispatch(context.Background(), env, r, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Validate(in); err != nil {
				t.Fatalf("%s %v: %v", in.Name, r, err)
			}
			if fmt.Sprint(got.Start) != fmt.Sprint(fast.Start) {
				t.Errorf("%s %v: env makespan %d, fast path %d: schedules differ", in.Name, r, mk(got, in), mk(fast, in))
			}
			if env.Time() != mk(got, in) {
				t.Errorf("%s %v: final Time %d, makespan %d", in.Name, r, env.Time(), mk(got, in))
			}
		}
	}
}

// noopPolicy prefers No-Op with probability q, else a random job.
type noopPolicy struct {
	rng *rand.Rand
	q   float64
}

func (p noopPolicy) Scores(o *sched.Obs, dst []float64) {
	for i := range dst {
		dst[i] = p.rng.Float64()
	}
	if p.rng.Float64() < p.q {
		dst[len(dst)-1] = 2
	}
}

// TestEnvNoOpAndSampling plays sampled episodes with No-Op and checks every
// schedule, the lb invariants and the legality rules.
func TestEnvNoOpAndSampling(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, name := range []string{"ft06", "la01"} {
		in := mustLoad(t, name)
		env, _ := sched.NewEnv(in, nil)
		for ep := 0; ep < 20; ep++ {
			s, err := sched.Dispatch(context.Background(), env, noopPolicy{rng, 0.3}, 1, rng)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(in); err != nil {
				t.Fatalf("%s episode %d: %v", name, ep, err)
			}
		}
	}
	// Manual checks on ft06.
	in := mustLoad(t, "ft06")
	env, _ := sched.NewEnv(in, nil)
	if env.Time() != 0 {
		t.Fatalf("initial time %d", env.Time())
	}
	legal := env.Legal()
	for j := 0; j < in.N; j++ {
		if !legal[j] {
			t.Errorf("job %d illegal at t=0", j)
		}
	}
	if legal[in.N] {
		t.Errorf("No-Op legal with a single est value")
	}
	// Fix job 0 (machine 2, p=1) and job 3 (machine 1, p=5) in one step;
	// job 1 (machine 1) becomes illegal after job 3.
	env.Step([]int{0, 3, 1})
	// Machine 2 is busy on [0,1) and machine 1 on [0,5): t moves to 1.
	if env.Time() != 1 {
		t.Fatalf("time %d after first step, want 1", env.Time())
	}
	var o sched.Obs
	env.Observe(&o)
	if o.Next[0] != 1 || o.Next[3] != 1 || o.Next[1] != 0 {
		t.Fatalf("next %v", o.Next)
	}
	if o.Est[1] != 5 {
		t.Errorf("job 1 est %d, want 5 (machine 1 busy until 5)", o.Est[1])
	}
	if !o.Legal[in.N] {
		t.Errorf("No-Op should be legal")
	}
	// No-Op moves every next op to the second distinct est value.
	t2 := 1 << 30
	for j := 0; j < in.N; j++ {
		if o.Est[j] > env.Time() {
			t2 = min(t2, o.Est[j])
		}
	}
	env.Step([]int{in.N, 2})
	if env.Time() != t2 {
		t.Errorf("time after No-Op %d, want %d", env.Time(), t2)
	}
	env.Observe(&o)
	for j := 0; j < in.N; j++ {
		if o.Est[j] < t2 {
			t.Errorf("job %d est %d < t2 %d after No-Op", j, o.Est[j], t2)
		}
	}
	if o.Next[2] != 0 {
		t.Errorf("action after No-Op was applied")
	}
}

// TestObserveTokens checks the token layout of the observation.
func TestObserveTokens(t *testing.T) {
	in := mustLoad(t, "ft06")
	env, _ := sched.NewEnv(in, nil)
	var o sched.Obs
	env.Observe(&o)
	for j := 0; j < in.N; j++ {
		if o.Kind[j*sched.Window] != sched.TokenStart || o.Kind[j*sched.Window+1] != sched.TokenOp || o.OpIndex[j*sched.Window+1] != 0 {
			t.Fatalf("job %d tokens %v", j, o.Kind[j*sched.Window:(j+1)*sched.Window])
		}
		if o.Feat[4*(j*sched.Window+1)+3] != 1 {
			t.Errorf("job %d next op not marked legal", j)
		}
		if !o.JobMask[j*in.N+j] {
			t.Errorf("identity missing in job mask")
		}
	}
	// Play to near the end: END padding.
	for !env.Done() {
		env.Observe(&o)
		for j := 0; j < in.N; j++ {
			if o.Legal[j] {
				env.Step([]int{j})
				break
			}
		}
		env.Observe(&o)
		for j := 0; j < in.N; j++ {
			k := o.Next[j]
			for w := 0; w < sched.Window; w++ {
				l := k - 1 + w
				i := j*sched.Window + w
				if l >= in.M && (o.Kind[i] != sched.TokenEnd || o.Pad[i] != (l > in.M)) {
					t.Fatalf("job %d token %d: kind %d pad %v", j, w, o.Kind[i], o.Pad[i])
				}
				if l >= 0 && l < in.M && l < k && o.Feat[4*i] != 1 {
					t.Fatalf("fixed op not marked fixed")
				}
			}
		}
	}
	_ = instances.Names
}

// wrapped hides the Rule type so the Dispatcher takes its generic path.
type wrapped struct{ sched.Policy }

// TestFastPathGenericEqualsRule checks the rule-specialised fast path
// against the generic policy path on Taillard instances of every group.
func TestFastPathGenericEqualsRule(t *testing.T) {
	var d1, d2 sched.Dispatcher
	for k := 1; k <= 80; k += 7 {
		in, _ := instances.Taillard(k)
		for _, r := range sched.Rules {
			a, err1 := d1.Run(in, r)
			b, err2 := d2.Run(in, wrapped{r})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if fmt.Sprint(a.Start) != fmt.Sprint(b.Start) {
				t.Errorf("%s %v: specialised and generic paths differ", in.Name, r)
			}
		}
	}
}
