package envs

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
)

// TestDSTFront checks the true front by breadth-first search: the shortest
// path to each treasure gives (value, −steps), and the non-dominated set of
// those is DSTFront.
func TestDSTFront(t *testing.T) {
	type cell struct{ r, c int }
	dist := map[cell]int{{0, 0}: 0}
	queue := []cell{{0, 0}}
	var pts [][]float64
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if dstMap[u.r][u.c] > 0 {
			pts = append(pts, []float64{dstMap[u.r][u.c], -float64(dist[u])})
			continue
		}
		for a := range 4 {
			e := NewDST()
			e.r, e.c = u.r, u.c
			r := make([]float64, 2)
			if _, _, err := e.Step(rl.Action{Discrete: a}, r); err != nil {
				t.Fatal(err)
			}
			v := cell{e.r, e.c}
			if _, ok := dist[v]; !ok {
				dist[v] = dist[u] + 1
				queue = append(queue, v)
			}
		}
	}
	front := nonDominated(pts)
	want := DSTFront()
	if len(front) != len(want) {
		t.Fatalf("front %v, want %v", front, want)
	}
	for _, w := range want {
		found := false
		for _, p := range front {
			if p[0] == w[0] && p[1] == w[1] {
				found = true
			}
		}
		if !found {
			t.Errorf("front point %v missing from %v", w, front)
		}
	}
	if _, _, err := NewDST().Step(rl.Action{Discrete: 4}, make([]float64, 2)); !errors.Is(err, rl.ErrAction) {
		t.Errorf("bad action: %v", err)
	}
}

func TestFruitTree(t *testing.T) {
	for _, d := range []int{5, 6} {
		e, err := NewFruitTree(d)
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.Front(1)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(f); got != 1<<d {
			t.Errorf("depth %d: %d front points, want all %d leaves", d, got, 1<<d)
		}
		// Walk right-left-… and check the leaf reward.
		e.Reset(nil)
		r := make([]float64, 6)
		var done rl.Done
		leaf := 0
		for i := range d {
			a := i % 2
			leaf = 2*leaf + a
			_, done, err = e.Step(rl.Action{Discrete: a}, r)
			if err != nil {
				t.Fatal(err)
			}
		}
		if done != rl.Terminated || r[0] != e.fr[leaf][0] {
			t.Errorf("depth %d: done %v reward %v, want leaf %d %v", d, done, r, leaf, e.fr[leaf])
		}
	}
	if _, err := NewFruitTree(7); err == nil {
		t.Error("depth 7 accepted")
	}
}

func TestCartPoleAndPendulum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	cp := NewCartPole()
	cp.Reset(rng)
	r := make([]float64, 1)
	n := 0
	for {
		_, done, err := cp.Step(rl.Action{Discrete: 1}, r)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if done != rl.Running {
			if done != rl.Terminated {
				t.Errorf("always-right ended with %v", done)
			}
			break
		}
	}
	if n < 5 || n > 20 {
		t.Errorf("always-right lasted %d steps", n)
	}
	p := NewPendulum(true)
	p.Reset(rng)
	r2 := make([]float64, 2)
	if _, _, err := p.Step(rl.Action{Box: []float64{2.5}}, r2); !errors.Is(err, rl.ErrAction) {
		t.Errorf("torque 2.5: %v", err)
	}
	for i := range PendulumMaxLen {
		_, done, err := p.Step(rl.Action{Box: []float64{1}}, r2)
		if err != nil || r2[1] != -1 || r2[0] > 0 || r2[0] < -(math.Pi*math.Pi+0.1*64) {
			t.Fatalf("step %d: r %v err %v", i, r2, err)
		}
		if (done == rl.Truncated) != (i == PendulumMaxLen-1) {
			t.Fatalf("step %d: done %v", i, done)
		}
	}
}
