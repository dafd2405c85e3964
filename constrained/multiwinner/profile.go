package multiwinner

import (
	"errors"
	"fmt"
)

// Sentinel errors; errors returned by the package wrap one of them with
// detail.
var (
	// ErrProfile: a ranking is not a permutation of the items, the profile
	// is empty, or the group labels do not fit it.
	ErrProfile = errors.New("multiwinner: invalid profile")
	// ErrInfeasible: no committee of size k meets the quotas.
	ErrInfeasible = errors.New("multiwinner: quotas cannot be met")
	// ErrSettings: k, a quota, a model parameter or a setting is out of
	// range, NaN or Inf.
	ErrSettings = errors.New("multiwinner: invalid settings")
	// ErrDimension: a vector's length does not match the number of items.
	ErrDimension = errors.New("multiwinner: dimension mismatch")
)

// Ranking lists items from most to least preferred: r[0] is the voter's
// top item. A valid ranking of m items is a permutation of 0..m−1.
type Ranking []int

// Profile is a set of rankings of the same M items and the group each
// item belongs to.
type Profile struct {
	// M is the number of items.
	M int
	// Rankings holds the voters' rankings.
	Rankings []Ranking
	// Group[c] is the group of item c, in 0..Groups()−1. Nil means one
	// group.
	Group []int

	pos []int32 // pos[v*M+c] = position of c in ranking v, 0-based
}

// maxCells bounds M·len(Rankings), the size of the position table.
const maxCells = 1 << 28

// NewProfile checks the rankings and groups and returns a Profile with its
// position table built. It returns an error wrapping [ErrProfile] for
// m < 1, no rankings, a ranking that repeats or omits an item or names an
// unknown one, group labels of the wrong length or negative, or a profile
// too large to index (M·n > 2²⁸).
func NewProfile(m int, rankings []Ranking, group []int) (*Profile, error) {
	if m < 1 {
		return nil, fmt.Errorf("%w: %d items", ErrProfile, m)
	}
	if len(rankings) == 0 {
		return nil, fmt.Errorf("%w: no rankings", ErrProfile)
	}
	if float64(m)*float64(len(rankings)) > maxCells {
		return nil, fmt.Errorf("%w: %d items × %d rankings exceeds %d cells", ErrProfile, m, len(rankings), maxCells)
	}
	if group != nil {
		if len(group) != m {
			return nil, fmt.Errorf("%w: %d group labels for %d items", ErrProfile, len(group), m)
		}
		for c, g := range group {
			if g < 0 || g >= m {
				return nil, fmt.Errorf("%w: item %d has group %d", ErrProfile, c, g)
			}
		}
	}
	p := &Profile{M: m, Rankings: rankings, Group: group, pos: make([]int32, m*len(rankings))}
	for i := range p.pos {
		p.pos[i] = -1
	}
	for v, r := range rankings {
		if len(r) != m {
			return nil, fmt.Errorf("%w: ranking %d has %d items, want %d", ErrProfile, v, len(r), m)
		}
		row := p.pos[v*m : (v+1)*m]
		for i, c := range r {
			if c < 0 || c >= m {
				return nil, fmt.Errorf("%w: ranking %d names unknown item %d", ErrProfile, v, c)
			}
			if row[c] >= 0 {
				return nil, fmt.Errorf("%w: ranking %d repeats item %d", ErrProfile, v, c)
			}
			row[c] = int32(i)
		}
	}
	return p, nil
}

// Voters returns the number of rankings.
func (p *Profile) Voters() int { return len(p.Rankings) }

// Pos returns the 1-based position of item c in ranking v.
func (p *Profile) Pos(v, c int) int { return int(p.pos[v*p.M+c]) + 1 }

// Groups returns the number of groups: one more than the largest label.
func (p *Profile) Groups() int {
	n := 1
	for _, g := range p.Group {
		n = max(n, g+1)
	}
	return n
}

func (p *Profile) group(c int) int {
	if p.Group == nil {
		return 0
	}
	return p.Group[c]
}

// GroupSizes returns the number of items in each group.
func (p *Profile) GroupSizes() []int {
	s := make([]int, p.Groups())
	for c := 0; c < p.M; c++ {
		s[p.group(c)]++
	}
	return s
}
