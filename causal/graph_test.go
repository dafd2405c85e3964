package causal_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

func names(g *causal.Graph, ids []int64) []string {
	out := g.NameSet(ids)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func mustIDs(t *testing.T, g *causal.Graph, ns ...string) []int64 {
	t.Helper()
	ids, err := g.IDs(ns...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestDSeparation(t *testing.T) {
	// Collider A->C<-B, C->D; chain A->F->G.
	g, err := causal.NewGraph([]string{"A", "B", "C", "D", "F", "G"}, []causal.Edge{
		{From: "A", To: "C"}, {From: "B", To: "C"}, {From: "C", To: "D"}, {From: "A", To: "F"}, {From: "F", To: "G"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := func(s string) []int64 { return mustIDs(t, g, s) }
	for _, tc := range []struct {
		x, y string
		z    []string
		want bool
	}{
		{"A", "B", nil, true},
		{"A", "B", []string{"C"}, false},
		{"A", "B", []string{"D"}, false},
		{"A", "G", nil, false},
		{"A", "G", []string{"F"}, true},
		{"B", "G", nil, true},
		{"B", "G", []string{"C"}, false},
		{"B", "G", []string{"C", "A"}, true},
	} {
		if got, err := g.DSeparated(id(tc.x), id(tc.y), mustIDs(t, g, tc.z...)); err != nil || got != tc.want {
			t.Errorf("dsep(%s, %s | %v) = %v, want %v", tc.x, tc.y, tc.z, got, tc.want)
		}
	}
	if got := names(g, g.Descendants(id("A")...)); !slices.Equal(got, []string{"C", "D", "F", "G"}) {
		t.Errorf("De(A) = %v", got)
	}
	if got := names(g, g.Ancestors(id("D")...)); !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Errorf("An(D) = %v", got)
	}
}

func TestA1P1Components(t *testing.T) {
	g := problems.P1Graph()
	ids := mustIDs(t, g, "Y", "E")
	c, err := causal.Parse(g, ids[0], ids[1])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{
		"XM": names(g, c.XM), "XS": names(g, c.XS), "XM0": names(g, c.XM0), "K": names(g, c.K),
		"W": names(g, c.W), "DeW": names(g, c.DeW), "PaDeW(X1)": names(g, c.PaDeW[mustIDs(t, g, "X1")[0]]),
	}
	want := map[string][]string{
		"XM": {"M"}, "XS": {"X1"}, "XM0": {"M"}, "K": {"X1"}, "W": {"M"}, "DeW": {"X1"}, "PaDeW(X1)": {"M", "Y"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("P1 components mismatch (-want +got):\n%s", diff)
	}
	if c.IsFullSet {
		t.Errorf("IsFullSet = true, want false")
	}
	cls, err := causal.EquivalenceClasses(context.Background(), c.StableGraph(g), c.Y)
	if err != nil {
		t.Fatal(err)
	}
	var reps [][]string
	for _, cl := range cls {
		reps = append(reps, names(g, cl.Rep))
	}
	if diff := cmp.Diff([][]string{{}, {"X1"}}, reps); diff != "" {
		t.Errorf("P1 classes mismatch (-want +got):\n%s", diff)
	}
}

func TestA5P2ComponentsAndClasses(t *testing.T) {
	g := problems.P2Graph()
	ids := mustIDs(t, g, "Y", "E")
	c, err := causal.Parse(g, ids[0], ids[1])
	if err != nil {
		t.Fatal(err)
	}
	x1 := mustIDs(t, g, "X1")[0]
	got := map[string][]string{
		"XM": names(g, c.XM), "XS": names(g, c.XS), "ChY": names(g, c.ChY), "XM0": names(g, c.XM0),
		"K": names(g, c.K), "W": names(g, c.W), "DeW": names(g, c.DeW), "PaDeW(X1)": names(g, c.PaDeW[x1]),
	}
	want := map[string][]string{
		"XM": {"X10", "X9"}, "XS": {"X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8"}, "ChY": {"X1", "X9"},
		"XM0": {"X9"}, "K": {"X1", "X10", "X2", "X3", "X4"}, "W": {"X10", "X2", "X3", "X4", "X9"},
		"DeW": {"X1"}, "PaDeW(X1)": {"X5", "X6", "X9", "Y"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("P2 components mismatch (-want +got):\n%s", diff)
	}
	if c.IsFullSet {
		t.Errorf("IsFullSet = true, want false")
	}
	gs := c.StableGraph(g)
	cls, err := causal.EquivalenceClasses(context.Background(), gs, c.Y)
	if err != nil {
		t.Fatal(err)
	}
	if len(cls) != 45 {
		t.Fatalf("N_G = %d, want 45", len(cls))
	}
	var total int64
	reps := map[string]causal.Class{}
	for _, cl := range cls {
		total += cl.Size()
		reps[key(names(g, cl.Rep))] = cl
	}
	if total != 256 {
		t.Errorf("classes cover %d subsets, want 256", total)
	}
	for _, r := range [][]string{{}, {"X1"}, {"X2"}, {"X3"}, {"X4"}, {"X1", "X5"}, {"X1", "X6"}, {"X1", "X5", "X6"}} {
		if _, ok := reps[key(r)]; !ok {
			t.Errorf("representative %v missing", r)
		}
	}
	cx1 := reps[key([]string{"X1"})]
	if cx1.Size() != 32 {
		t.Errorf("class of {X1} has %d members, want 32", cx1.Size())
	}
	if diff := cmp.Diff([]string{"X2", "X3", "X4", "X7", "X8"}, names(g, cx1.Free)); diff != "" {
		t.Errorf("class of {X1} free nodes (-want +got):\n%s", diff)
	}
	checkAgree(t, gs, c.Y)
}

func key(s []string) string {
	out := "{"
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out + "}"
}

// checkAgree verifies that the class search and the exhaustive search give
// the same partition of all subsets (every subset in exactly one class).
func checkAgree(t *testing.T, gs *causal.Graph, y int64) {
	t.Helper()
	cls, err := causal.EquivalenceClasses(context.Background(), gs, y)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := causal.ExhaustiveClasses(context.Background(), gs, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(cls) != len(groups) {
		t.Fatalf("class search found %d classes, exhaustive %d", len(cls), len(groups))
	}
	byRep := map[string]causal.Class{}
	for _, c := range cls {
		k := key(gs.NameSet(c.Rep))
		if _, dup := byRep[k]; dup {
			t.Fatalf("duplicate representative %s", k)
		}
		byRep[k] = c
	}
	seen := map[string]bool{}
	n := 0
	for _, gr := range groups {
		c, ok := byRep[key(gs.NameSet(gr.Rep))]
		if !ok {
			t.Errorf("exhaustive class %v not found by the class search", gs.NameSet(gr.Rep))
			continue
		}
		if int64(len(gr.Members)) != c.Size() {
			t.Errorf("class %v: exhaustive %d members, class search %d", gs.NameSet(gr.Rep), len(gr.Members), c.Size())
		}
		for _, m := range gr.Members {
			if !c.Contains(m) {
				t.Errorf("subset %v in exhaustive class %v is not in the searched class", gs.NameSet(m), gs.NameSet(gr.Rep))
			}
			k := key(gs.NameSet(m))
			if seen[k] {
				t.Errorf("subset %v in two classes", gs.NameSet(m))
			}
			seen[k] = true
			n++
		}
	}
	if want := 1 << (len(gs.Nodes()) - 1); n != want {
		t.Errorf("exhaustive covered %d subsets, want %d", n, want)
	}
}

func TestClassSearchAgreesWithExhaustiveOnRandomDAGs(t *testing.T) {
	rng := rand.New(rand.NewPCG(2023, 0))
	for trial := 0; trial < 6; trial++ {
		n := 8 + trial%3
		g, err := problems.RandomDAG(n, 0.35, rng)
		if err != nil {
			t.Fatal(err)
		}
		y := int64(rng.IntN(n))
		checkAgree(t, g, y)
	}
}

func TestBadGraphs(t *testing.T) {
	if _, err := causal.NewGraph([]string{"A", "B"}, []causal.Edge{{From: "A", To: "B"}, {From: "B", To: "A"}}); !errors.Is(err, causal.ErrCyclic) {
		t.Errorf("cycle: err = %v, want ErrCyclic", err)
	}
	if _, err := causal.NewGraph([]string{"A", "B"}, []causal.Edge{{From: "A", To: "Z"}}); !errors.Is(err, causal.ErrUnknownNode) {
		t.Errorf("unknown: err = %v, want ErrUnknownNode", err)
	}
	if _, err := causal.NewGraph([]string{"A", "A"}, nil); !errors.Is(err, causal.ErrGraph) {
		t.Errorf("duplicate: err = %v, want ErrGraph", err)
	}
	for _, tc := range []struct {
		name  string
		edges []causal.Edge
	}{
		{"E has parent", []causal.Edge{{From: "X", To: "E"}, {From: "E", To: "M"}}},
		{"Y child of E", []causal.Edge{{From: "E", To: "Y"}, {From: "E", To: "M"}}},
		{"Y child of mutable", []causal.Edge{{From: "E", To: "M"}, {From: "M", To: "Y"}}},
		{"nothing mutable", []causal.Edge{{From: "Y", To: "M"}}},
	} {
		g, err := causal.NewGraph([]string{"Y", "M", "X", "E"}, tc.edges)
		if err != nil {
			t.Fatal(err)
		}
		ids := mustIDs(t, g, "Y", "E")
		if _, err := causal.Parse(g, ids[0], ids[1]); !errors.Is(err, causal.ErrGraph) {
			t.Errorf("%s: err = %v, want ErrGraph", tc.name, err)
		}
	}
	g := problems.P1Graph()
	if _, err := g.ID("nope"); !errors.Is(err, causal.ErrUnknownNode) {
		t.Errorf("ID: err = %v", err)
	}
}
