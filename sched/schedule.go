package sched

import (
	"errors"
	"fmt"
	"slices"
)

// Schedule holds the start time of every operation: Start[j][k] is the
// start of the k-th operation of job j. A negative start means unscheduled.
type Schedule struct {
	Start [][]int
}

// NewSchedule returns an n×m schedule with every start set to -1, or an
// error wrapping ErrDimension if n or m is not positive or n·m exceeds the
// parsers' limit of 2^22 operations.
func NewSchedule(n, m int) (Schedule, error) {
	if n <= 0 || m <= 0 || n > maxOps || m > maxOps || n*m > maxOps {
		return Schedule{}, fmt.Errorf("%w: schedule of %d x %d operations", ErrDimension, n, m)
	}
	return newSchedule(n, m), nil
}

// newSchedule is NewSchedule for sizes known to be valid.
func newSchedule(n, m int) Schedule {
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
// (negative starts are unscheduled; 0 if none is scheduled). It returns an
// error wrapping ErrInstance for an invalid inst, ErrDimension if s does not
// have inst's N×M shape, and ErrSchedule for a start beyond [MaxTime].
func (s Schedule) Makespan(inst *Instance) (int, error) {
	if err := s.checkShape(inst); err != nil {
		return 0, err
	}
	return s.makespan(inst), nil
}

// checkShape checks inst and that s has its shape with starts ≤ MaxTime.
func (s Schedule) checkShape(inst *Instance) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	if len(s.Start) != inst.N {
		return fmt.Errorf("%w: schedule has %d job rows, instance %d jobs", ErrDimension, len(s.Start), inst.N)
	}
	for j, row := range s.Start {
		if len(row) != inst.M {
			return fmt.Errorf("%w: schedule row %d has %d starts, instance %d machines", ErrDimension, j, len(row), inst.M)
		}
		for k, st := range row {
			if st > MaxTime {
				return fmt.Errorf("%w: job %d op %d starts at %d > MaxTime", ErrSchedule, j, k, st)
			}
		}
	}
	return nil
}

// makespan is Makespan for a schedule of inst's shape.
func (s Schedule) makespan(inst *Instance) int {
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
// a machine. It returns the first violation found, wrapping ErrSchedule
// (and also ErrDimension for a shape mismatch, ErrInstance for an invalid
// inst).
func (s Schedule) Validate(inst *Instance) error {
	if err := s.checkShape(inst); err != nil {
		if errors.Is(err, ErrDimension) {
			return fmt.Errorf("%w: %w", ErrSchedule, err)
		}
		return err
	}
	for j, row := range s.Start {
		for k, st := range row {
			if st < 0 {
				return fmt.Errorf("%w: job %d op %d unscheduled (start %d)", ErrSchedule, j, k, st)
			}
			if k > 0 && st < row[k-1]+inst.Dur[j][k-1] {
				return fmt.Errorf("%w: job %d op %d starts at %d before op %d ends at %d", ErrSchedule, j, k, st, k-1, row[k-1]+inst.Dur[j][k-1])
			}
		}
	}
	orders := s.machineOrders(inst)
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
// time on it (ties by job index). Unscheduled operations are left out. It
// returns an error if s does not have inst's shape (see [Schedule.Makespan]).
func (s Schedule) MachineOrders(inst *Instance) ([][]int, error) {
	if err := s.checkShape(inst); err != nil {
		return nil, err
	}
	return s.machineOrders(inst), nil
}

// machineOrders is MachineOrders for a schedule of inst's shape.
func (s Schedule) machineOrders(inst *Instance) [][]int {
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
// lower bound in [0, MaxTime] on the start of operation (j,k). It returns
// an error wrapping ErrInstance for an invalid inst, ErrCycle if the orders
// contradict the routes, ErrDimension if the shapes are wrong and
// ErrSettings for a release date out of range.
func SemiActive(inst *Instance, orders [][]int, release [][]int) (Schedule, error) {
	if err := inst.Validate(); err != nil {
		return Schedule{}, err
	}
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
	return SemiActive(inst, s.machineOrders(inst), release)
}

func checkOrders(inst *Instance, orders [][]int) error {
	if len(orders) != inst.M {
		return fmt.Errorf("%w: %d machine orders, want %d", ErrDimension, len(orders), inst.M)
	}
	seen := make([]int, inst.N)
	for mu, ord := range orders {
		if len(ord) != inst.N {
			return fmt.Errorf("%w: machine %d order has %d jobs, want %d", ErrDimension, mu, len(ord), inst.N)
		}
		for _, j := range ord {
			if j < 0 || j >= inst.N || seen[j] == mu+1 {
				return fmt.Errorf("%w: machine %d order is not a permutation of the jobs", ErrDimension, mu)
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
		return fmt.Errorf("%w: %d release rows, want %d", ErrDimension, len(release), inst.N)
	}
	for j, row := range release {
		if len(row) != inst.M {
			return fmt.Errorf("%w: release row %d has %d entries, want %d", ErrDimension, j, len(row), inst.M)
		}
		for _, r := range row {
			if r < 0 || r > MaxTime {
				return fmt.Errorf("%w: release date %d outside [0, MaxTime]", ErrSettings, r)
			}
		}
	}
	return nil
}
