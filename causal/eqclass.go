package causal

import (
	"context"
	"fmt"
	"slices"
)

// Class is one G-equivalence class of stable subsets: its members are
// Rep ∪ T for every T ⊆ Free. All members give the same stable predictor
// f_{S'} and hence the same worst-case risk. Rep is the smallest member
// (the representative). Excluded are the nodes marginalised on the way to
// this class (members never contain them).
type Class struct {
	Rep, Free, Excluded []int64
}

// Size returns the number of members, 2^len(Free) (saturating at
// 1<<62 for very large free sets).
func (c Class) Size() int64 {
	if len(c.Free) >= 62 {
		return 1 << 62
	}
	return 1 << len(c.Free)
}

// maxMembers bounds the free nodes of a class that [Class.Members]
// enumerates (2^20 members).
const maxMembers = 20

// Members returns every member, each sorted by id, in the order of the
// binary count over Free. It returns an error wrapping [ErrSettings] if
// Free has more than 20 nodes (over a million members).
func (c Class) Members() ([][]int64, error) {
	if len(c.Free) > maxMembers {
		return nil, fmt.Errorf("%w: class with %d free nodes is too large to enumerate (at most %d)", ErrSettings, len(c.Free), maxMembers)
	}
	out := make([][]int64, 0, c.Size())
	for mask := 0; mask < 1<<len(c.Free); mask++ {
		s := slices.Clone(c.Rep)
		for i, v := range c.Free {
			if mask&(1<<i) != 0 {
				s = append(s, v)
			}
		}
		slices.Sort(s)
		out = append(out, s)
	}
	return out, nil
}

// Contains reports whether subset s (any order) is a member.
func (c Class) Contains(s []int64) bool {
	for _, r := range c.Rep {
		if !slices.Contains(s, r) {
			return false
		}
	}
	for _, v := range s {
		if !slices.Contains(c.Rep, v) && !slices.Contains(c.Free, v) {
			return false
		}
	}
	return true
}

// EquivalenceClasses runs the recursive search of Alg. 2 on the stable graph
// gs (use [Components.StableGraph]) for outcome y and returns one [Class] per
// G-equivalence class of subsets of the nodes of gs other than y:
//
//	Rec(L, C): O = nodes \ L \ C
//	           A = {v ∈ O\{y} : Adj(y, v | L, C)}
//	           A = ∅: one class {C ∪ T : T ⊆ O\{y}}
//	           else: concat over sel ⊆ A of Rec(L ∪ (A\sel), C ∪ sel)
//	Adj(a, b | L, C): not dsep(a, b | (An({a,b} ∪ C) ∩ O) \ {a,b} ∪ C)
//
// Adj is adjacency in the maximal ancestral graph that marginalises L and
// conditions on C. The classes partition all 2^(n-1) subsets; the search
// costs a d-separation test per candidate node per recursion node, not per
// subset. It returns ctx.Err() (with the classes found so far) if ctx is
// cancelled, and an error wrapping [ErrUnknownNode] if y is absent.
func EquivalenceClasses(ctx context.Context, gs *Graph, y int64) ([]Class, error) {
	if gs == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrGraph)
	}
	if !gs.Has(y) {
		return nil, fmt.Errorf("%w: outcome id %d", ErrUnknownNode, y)
	}
	n := gs.Len()
	s := &classSearch{g: gs, y: y, w: dsepWork{inA: make([]bool, n), inZ: make([]bool, n), seen: make([]bool, n)}}
	err := s.rec(ctx, nil, nil)
	return s.out, err
}

type classSearch struct {
	g   *Graph
	y   int64
	w   dsepWork
	out []Class
	// tests counts d-separation tests.
	tests int
	an    []bool
	inO   []bool
	stack []int64
	z     []int64
	ab    [2]int64
}

func (s *classSearch) rec(ctx context.Context, L, C []int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var O []int64
	for _, v := range s.g.Nodes() {
		if !slices.Contains(L, v) && !slices.Contains(C, v) {
			O = append(O, v)
		}
	}
	var A []int64
	for _, v := range O {
		if v != s.y && s.adj(s.y, v, O, C) {
			A = append(A, v)
		}
	}
	if len(A) == 0 {
		s.out = append(s.out, Class{Rep: sorted(C), Free: minus(O, []int64{s.y}), Excluded: sorted(L)})
		return nil
	}
	if len(A) > 62 {
		return fmt.Errorf("%w: %d nodes adjacent to the outcome", ErrGraph, len(A))
	}
	for mask := uint64(0); mask < 1<<len(A); mask++ {
		var sel, rest []int64
		for i, v := range A {
			if mask&(1<<i) != 0 {
				sel = append(sel, v)
			} else {
				rest = append(rest, v)
			}
		}
		if err := s.rec(ctx, append(slices.Clone(L), rest...), append(slices.Clone(C), sel...)); err != nil {
			return err
		}
	}
	return nil
}

// adj is the MAG adjacency test of Alg. 2.
func (s *classSearch) adj(a, b int64, O, C []int64) bool {
	g := s.g
	if s.an == nil {
		s.an = make([]bool, g.Len())
		s.inO = make([]bool, g.Len())
	}
	clear(s.an)
	clear(s.inO)
	for _, v := range O {
		s.inO[v] = true
	}
	st := s.stack[:0]
	push := func(v int64) {
		if !s.an[v] {
			s.an[v] = true
			st = append(st, v)
		}
	}
	push(a)
	push(b)
	for _, c := range C {
		push(c)
	}
	for len(st) > 0 {
		v := st[len(st)-1]
		st = st[:len(st)-1]
		for _, p := range g.pa[v] {
			push(p)
		}
	}
	s.stack = st
	z := s.z[:0]
	for v, in := range s.an {
		if in && s.inO[v] && int64(v) != a && int64(v) != b {
			z = append(z, int64(v))
		}
	}
	z = append(z, C...)
	s.z = z
	s.tests++
	s.ab[0], s.ab[1] = a, b
	return !g.dsep(&s.w, s.ab[:1], s.ab[1:], z)
}

func sorted(a []int64) []int64 {
	b := slices.Clone(a)
	slices.Sort(b)
	if b == nil {
		b = []int64{}
	}
	return b
}

// SubsetGroup is a class found by [ExhaustiveClasses]: a representative
// (the Markov boundary shared by all members) and the explicit members.
type SubsetGroup struct {
	Rep     []int64
	Members [][]int64
}

// ExhaustiveClasses is the baseline that visits all 2^(n-1) subsets S of the
// nodes of gs other than y and groups them by the Markov boundary of y
// within S, {v ∈ S : not dsep(y, v | S \ {v})}, which is unique under
// d-separation and determines E[Y | X_S]. Groups appear in order of their
// first member's bitmask (bit i = i-th candidate in id order); members are
// sorted by id. It returns an error wrapping [ErrGraph] if there are more
// than 24 candidate nodes, and ctx.Err() if cancelled.
func ExhaustiveClasses(ctx context.Context, gs *Graph, y int64) ([]SubsetGroup, error) {
	if gs == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrGraph)
	}
	if !gs.Has(y) {
		return nil, fmt.Errorf("%w: outcome id %d", ErrUnknownNode, y)
	}
	cand := minus(gs.Nodes(), []int64{y})
	if len(cand) > 24 {
		return nil, fmt.Errorf("%w: %d candidates is too many for exhaustive search", ErrGraph, len(cand))
	}
	n := gs.Len()
	w := dsepWork{inA: make([]bool, n), inZ: make([]bool, n), seen: make([]bool, n)}
	index := map[uint32]int{}
	var groups []SubsetGroup
	S := make([]int64, 0, len(cand))
	for mask := uint32(0); mask < 1<<len(cand); mask++ {
		if mask&0xff == 0 {
			if err := ctx.Err(); err != nil {
				return groups, err
			}
		}
		S = S[:0]
		for i, v := range cand {
			if mask&(1<<i) != 0 {
				S = append(S, v)
			}
		}
		var key uint32
		for i, v := range cand {
			if mask&(1<<i) != 0 && !gs.dsep(&w, []int64{y}, []int64{v}, minus(S, []int64{v})) {
				key |= 1 << i
			}
		}
		k, ok := index[key]
		if !ok {
			k = len(groups)
			index[key] = k
			var rep []int64
			for i, v := range cand {
				if key&(1<<i) != 0 {
					rep = append(rep, v)
				}
			}
			groups = append(groups, SubsetGroup{Rep: sorted(rep)})
		}
		groups[k].Members = append(groups[k].Members, sorted(S))
	}
	return groups, nil
}
