package morl

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/ppo"
)

// Origin records where an archived policy came from.
type Origin struct {
	// Stage is 1 for a Stage-1 checkpoint and 2 for an extension iterate.
	Stage int
	// Weights is the Stage-1 preference vector (nil in Stage 2).
	Weights []float64
	// Parent is G of the selected policy π_r an extension started from.
	Parent []float64
	// Objective is the objective l maximised by the extension (Stage 2).
	Objective int
	// Round is the extension round (Stage 2) and Update the PPO update
	// count within the run that produced the checkpoint.
	Round, Update int
	// ClipFraction is the last-epoch clip fraction of the Stage-2 update
	// that produced the iterate, and Recovery whether that update started
	// infeasible (feasibility recovery instead of the log barrier).
	ClipFraction float64
	Recovery     bool
}

// Entry is one archived policy with its evaluated return vector G.
type Entry struct {
	G      []float64
	Policy rl.Policy  // nil in policy-free uses such as the oracle test
	Agent  *ppo.Agent // the trainable agent (nil in policy-free uses)
	Origin Origin
}

// DefaultPolicyBuffer is the archive capacity used when zero is given.
const DefaultPolicyBuffer = 200

// Archive is the C-MORL external Pareto archive EP: the non-dominated
// entries with G ≥ Ref, at most Cap of them (trimmed by largest crowding
// distance), ordered by G lexicographically.
type Archive struct {
	Ref     []float64
	Cap     int
	entries []Entry
}

// NewArchive returns an empty archive with reference point ref and capacity
// cap (0 means 200). It returns an error for an empty or non-finite ref or
// a negative capacity.
func NewArchive(ref []float64, capacity int) (*Archive, error) {
	if err := checkPoints(nil, ref); err != nil {
		return nil, err
	}
	if capacity < 0 {
		return nil, fmt.Errorf("%w: archive capacity %d", ErrSettings, capacity)
	}
	capacity = cmp.Or(capacity, DefaultPolicyBuffer)
	return &Archive{Ref: slices.Clone(ref), Cap: capacity}, nil
}

// Insert merges candidates into the archive (step 4 of C-MORL): entries not
// ≥ Ref or dominated are dropped, of equal vectors (within 1e-9) the one
// already present or inserted first is kept, and beyond Cap the entries
// with the largest crowding distance stay. It returns an error for a
// candidate with the wrong number of objectives or non-finite values.
func (a *Archive) Insert(cands ...Entry) error {
	if a == nil || len(a.Ref) == 0 || a.Cap < 1 {
		return fmt.Errorf("%w: archive not made by NewArchive", ErrSettings)
	}
	all := slices.Clone(a.entries)
	for i, c := range cands {
		if len(c.G) != len(a.Ref) {
			return fmt.Errorf("%w: candidate %d has %d objectives, archive %d", ErrDimension, i, len(c.G), len(a.Ref))
		}
		for _, v := range c.G {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: candidate %d G = %v", ErrNotFinite, i, c.G)
			}
		}
		ok := true
		for k, v := range c.G {
			if v < a.Ref[k] {
				ok = false
			}
		}
		if ok {
			all = append(all, c)
		}
	}
	keep := all[:0:0]
outer:
	for i, p := range all {
		for j, q := range all {
			if i != j && (dominates(q.G, p.G) || (j < i && sameVector(p.G, q.G))) {
				continue outer
			}
		}
		keep = append(keep, p)
	}
	if len(keep) > a.Cap {
		cd := crowding(entryPoints(keep))
		idx := make([]int, len(keep))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(cd[y], cd[x]) })
		trimmed := make([]Entry, 0, a.Cap)
		for _, i := range idx[:a.Cap] {
			trimmed = append(trimmed, keep[i])
		}
		keep = trimmed
	}
	slices.SortStableFunc(keep, func(x, y Entry) int { return slices.Compare(x.G, y.G) })
	a.entries = keep
	return nil
}

func entryPoints(es []Entry) [][]float64 {
	ps := make([][]float64, len(es))
	for i, e := range es {
		ps[i] = e.G
	}
	return ps
}

// Len returns the number of archived entries (0 for a nil archive).
func (a *Archive) Len() int {
	if a == nil {
		return 0
	}
	return len(a.entries)
}

// Entries returns the archived entries (do not modify them).
func (a *Archive) Entries() []Entry {
	if a == nil {
		return nil
	}
	return a.entries
}

// Points returns the archived return vectors (aliases; do not modify).
func (a *Archive) Points() [][]float64 { return entryPoints(a.Entries()) }

// Hypervolume returns the hypervolume of the archive with respect to Ref
// (0 for an empty or nil archive).
func (a *Archive) Hypervolume() float64 {
	if a.Len() == 0 {
		return 0
	}
	hv, _ := Hypervolume(a.Points(), a.Ref) // entries were validated on insert
	return hv
}

// SelectionHistory is the global record of objective vectors already
// selected for extension (compared with tolerance 1e-9). Its zero value is
// empty and ready.
type SelectionHistory struct{ seen [][]float64 }

// Contains reports whether g was selected before (false for a nil
// history).
func (h *SelectionHistory) Contains(g []float64) bool {
	if h == nil {
		return false
	}
	for _, s := range h.seen {
		if len(s) == len(g) && sameVector(s, g) {
			return true
		}
	}
	return false
}

// Add records g as selected (a nil history records nothing).
func (h *SelectionHistory) Add(g []float64) {
	if h != nil {
		h.seen = append(h.seen, slices.Clone(g))
	}
}

// Len returns the number of recorded vectors.
func (h *SelectionHistory) Len() int {
	if h == nil {
		return 0
	}
	return len(h.seen)
}

// Select returns up to k archived entries with the largest crowding
// distance whose G is not in h (ties keep archive order), and records them
// in h (step 6 of C-MORL). A nil h is an empty history that records
// nothing; k ≤ 0 selects nothing.
func (a *Archive) Select(k int, h *SelectionHistory) []Entry {
	if h == nil {
		h = &SelectionHistory{}
	}
	if a.Len() == 0 || k <= 0 {
		return nil
	}
	cd := crowding(a.Points())
	idx := make([]int, len(a.entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(cd[y], cd[x]) })
	var out []Entry
	for _, i := range idx {
		if len(out) == k {
			break
		}
		e := a.entries[i]
		if h.Contains(e.G) {
			continue
		}
		h.Add(e.G)
		out = append(out, e)
	}
	return out
}

// Assign returns the archived entry maximising ω·G (step 9 of C-MORL), the
// first on ties. It returns an error for an empty archive or invalid ω.
func (a *Archive) Assign(w []float64) (Entry, error) {
	if a == nil {
		return Entry{}, fmt.Errorf("%w: nil archive", ErrSettings)
	}
	if err := rl.CheckWeights(w, len(a.Ref)); err != nil {
		return Entry{}, err
	}
	if len(a.entries) == 0 {
		return Entry{}, fmt.Errorf("%w: archive is empty", ErrEmpty)
	}
	best, bu := 0, math.Inf(-1)
	for i, e := range a.entries {
		u := 0.0
		for k := range w {
			u += w[k] * e.G[k]
		}
		if u > bu {
			best, bu = i, u
		}
	}
	return a.entries[best], nil
}
