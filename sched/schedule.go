package sched

import (
	"fmt"
	"slices"
)

// Schedule holds the start time of every operation: Start[j][k] is the
// start of the k-th operation of job j. A negative start means unscheduled.
type Schedule struct {
	Start [][]int
}

// NewSchedule returns an n×m schedule with every start set to -1.
func NewSchedule(n, m int) Schedule {
	s := Schedule{Start: make([][]int, n)}
	for j := range s.Start {
		s.Start[j] = make([]int, m)
		for k := range s.Start[j] {
			s.Start[j][k] = -1
		}
	}
	return s
}

// Clone returns a deep copy of s.
func (s Schedule) Clone() Schedule {
	c := Schedule{Start: make([][]int, len(s.Start))}
	for j := range s.Start {
		c.Start[j] = slices.Clone(s.Start[j])
	}
	return c
}

// Makespan returns the largest completion time of the scheduled operations
// (0 for an empty schedule). It panics if s does not have inst's shape.
func (s Schedule) Makespan(inst *Instance) int {
	c := 0
	for j, row := range s.Start {
		for k, st := range row {
			if st >= 0 {
				c = max(c, st+inst.Dur[j][k])
			}
		}
	}
	return c
}

// Validate checks that s is a complete feasible schedule of inst: the shape
// matches, every start is non-negative, each operation starts after its job
// predecessor ends (durations are exact), and no two operations overlap on
// a machine. It returns the first violation found, wrapping ErrSchedule.
func (s Schedule) Validate(inst *Instance) error {
	if len(s.Start) != inst.N {
		return fmt.Errorf("%w: %d job rows, want %d", ErrSchedule, len(s.Start), inst.N)
	}
	for j, row := range s.Start {
		if len(row) != inst.M {
			return fmt.Errorf("%w: job %d has %d starts, want %d", ErrSchedule, j, len(row), inst.M)
		}
		for k, st := range row {
			if st < 0 {
				return fmt.Errorf("%w: job %d op %d unscheduled (start %d)", ErrSchedule, j, k, st)
			}
			if k > 0 && st < row[k-1]+inst.Dur[j][k-1] {
				return fmt.Errorf("%w: job %d op %d starts at %d before op %d ends at %d", ErrSchedule, j, k, st, k-1, row[k-1]+inst.Dur[j][k-1])
			}
		}
	}
	orders := s.MachineOrders(inst)
	for mu, ord := range orders {
		end, prev := -1, -1
		for _, j := range ord {
			k := opOfMachine(inst, j, mu)
			st := s.Start[j][k]
			if prev >= 0 && st < end {
				return fmt.Errorf("%w: machine %d: job %d starts at %d before job %d ends at %d", ErrSchedule, mu, j, st, prev, end)
			}
			end, prev = st+inst.Dur[j][k], j
		}
	}
	return nil
}

// opOfMachine returns the index of job j's operation on machine mu.
func opOfMachine(inst *Instance, j, mu int) int {
	for k, m := range inst.Mach[j] {
		if m == mu {
			return k
		}
	}
	return -1
}

// MachineOrders returns, for each machine, the jobs in order of their start
// time on it (ties by job index). Unscheduled operations are left out.
func (s Schedule) MachineOrders(inst *Instance) [][]int {
	type item struct{ st, j int }
	orders := make([][]int, inst.M)
	items := make([][]item, inst.M)
	for j, row := range s.Start {
		for k, st := range row {
			if st >= 0 && k < inst.M {
				mu := inst.Mach[j][k]
				items[mu] = append(items[mu], item{st, j})
			}
		}
	}
	for mu, it := range items {
		slices.SortFunc(it, func(a, b item) int {
			if a.st != b.st {
				return a.st - b.st
			}
			return a.j - b.j
		})
		orders[mu] = make([]int, len(it))
		for i, x := range it {
			orders[mu][i] = x.j
		}
	}
	return orders
}

// SemiActive returns the semi-active schedule of the machine orders (orders[μ]
// lists the jobs in processing order on machine μ): every operation starts
// at max(release, end of its job predecessor, end of its machine
// predecessor). release may be nil (all zero); otherwise release[j][k] is a
// lower bound on the start of operation (j,k). It returns ErrCycle if the
// orders contradict the routes and ErrOptions if the shapes are wrong.
func SemiActive(inst *Instance, orders [][]int, release [][]int) (Schedule, error) {
	if err := checkOrders(inst, orders); err != nil {
		return Schedule{}, err
	}
	if err := checkRelease(inst, release); err != nil {
		return Schedule{}, err
	}
	g := newGraph(inst)
	g.setRelease(release)
	g.setOrders(orders)
	if !g.eval() {
		return Schedule{}, ErrCycle
	}
	return g.schedule(), nil
}

// Compress returns the semi-active schedule with the machine orders of s:
// it keeps the machine orders and minimises every start subject to start ≤
// the start in s (spec step 4). release is as in SemiActive.
func Compress(inst *Instance, s Schedule, release [][]int) (Schedule, error) {
	if err := s.Validate(inst); err != nil {
		return Schedule{}, err
	}
	return SemiActive(inst, s.MachineOrders(inst), release)
}

func checkOrders(inst *Instance, orders [][]int) error {
	if len(orders) != inst.M {
		return fmt.Errorf("%w: %d machine orders, want %d", ErrOptions, len(orders), inst.M)
	}
	seen := make([]int, inst.N)
	for mu, ord := range orders {
		if len(ord) != inst.N {
			return fmt.Errorf("%w: machine %d order has %d jobs, want %d", ErrOptions, mu, len(ord), inst.N)
		}
		for _, j := range ord {
			if j < 0 || j >= inst.N || seen[j] == mu+1 {
				return fmt.Errorf("%w: machine %d order is not a permutation of the jobs", ErrOptions, mu)
			}
			seen[j] = mu + 1
		}
	}
	return nil
}

func checkRelease(inst *Instance, release [][]int) error {
	if release == nil {
		return nil
	}
	if len(release) != inst.N {
		return fmt.Errorf("%w: %d release rows, want %d", ErrOptions, len(release), inst.N)
	}
	for j, row := range release {
		if len(row) != inst.M {
			return fmt.Errorf("%w: release row %d has %d entries, want %d", ErrOptions, j, len(row), inst.M)
		}
		for _, r := range row {
			if r < 0 {
				return fmt.Errorf("%w: negative release date %d", ErrOptions, r)
			}
		}
	}
	return nil
}
