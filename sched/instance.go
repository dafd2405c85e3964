package sched

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxOps bounds n·m accepted by the parsers, so that a corrupt header cannot
// request an absurd allocation.
const maxOps = 1 << 22

// Instance is a job-shop instance: N jobs, M machines, job j visits machine
// Mach[j][k] for Dur[j][k] time units as its k-th operation. Machines are
// 0-based. BKS is the best-known makespan (0 if unknown).
type Instance struct {
	Name string
	N, M int
	Mach [][]int
	Dur  [][]int
	BKS  int
}

// Op identifies operation Index (position in the route) of job Job.
type Op struct{ Job, Index int }

// Validate checks the shape (N·M entries), that each job visits every
// machine exactly once, that every duration is positive and that they sum
// to at most [MaxTime], and that BKS is not negative. It returns the first
// problem found, wrapping ErrInstance.
func (in *Instance) Validate() error {
	if in == nil {
		return fmt.Errorf("%w: nil instance", ErrInstance)
	}
	if in.M <= 0 || in.M > maxOps {
		return in.validate(nil) // reports the size before any allocation
	}
	return in.validate(make([]int, in.M))
}

// validate is Validate with a scratch buffer of at least M entries, so that
// hot paths (Dispatcher.Run) do not allocate.
func (in *Instance) validate(seen []int) error {
	if in == nil {
		return fmt.Errorf("%w: nil instance", ErrInstance)
	}
	if in.N <= 0 || in.M <= 0 {
		return fmt.Errorf("%w: %d jobs, %d machines", ErrInstance, in.N, in.M)
	}
	if len(in.Mach) != in.N || len(in.Dur) != in.N {
		return fmt.Errorf("%w: %d machine rows and %d duration rows for %d jobs", ErrInstance, len(in.Mach), len(in.Dur), in.N)
	}
	if in.BKS < 0 {
		return fmt.Errorf("%w: negative BKS %d", ErrInstance, in.BKS)
	}
	if in.N > maxOps || in.M > maxOps || in.N*in.M > maxOps {
		return fmt.Errorf("%w: %d x %d operations exceed the limit %d", ErrInstance, in.N, in.M, maxOps)
	}
	seen = seen[:in.M]
	clear(seen)
	total := 0
	for j := 0; j < in.N; j++ {
		if len(in.Mach[j]) != in.M || len(in.Dur[j]) != in.M {
			return fmt.Errorf("%w: job %d has %d machines and %d durations, want %d", ErrInstance, j, len(in.Mach[j]), len(in.Dur[j]), in.M)
		}
		for k := 0; k < in.M; k++ {
			mu := in.Mach[j][k]
			if mu < 0 || mu >= in.M {
				return fmt.Errorf("%w: job %d op %d: machine %d out of range [0,%d)", ErrInstance, j, k, mu, in.M)
			}
			if seen[mu] == j+1 {
				return fmt.Errorf("%w: job %d visits machine %d twice", ErrInstance, j, mu)
			}
			seen[mu] = j + 1
			d := in.Dur[j][k]
			if d <= 0 {
				return fmt.Errorf("%w: job %d op %d: duration %d not positive", ErrInstance, j, k, d)
			}
			if d > MaxTime-total {
				return fmt.Errorf("%w: job %d op %d: the durations sum to more than MaxTime (2^53)", ErrInstance, j, k)
			}
			total += d
		}
	}
	return nil
}

// LowerBound returns the trivial lower bound max(longest job, most loaded
// machine), or an error wrapping ErrInstance if in is not valid.
func (in *Instance) LowerBound() (int, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	return in.lowerBound(), nil
}

// lowerBound is LowerBound for a valid instance.
func (in *Instance) lowerBound() int {
	lb := 0
	load := make([]int, in.M)
	for j := 0; j < in.N; j++ {
		s := 0
		for k := 0; k < in.M; k++ {
			s += in.Dur[j][k]
			load[in.Mach[j][k]] += in.Dur[j][k]
		}
		lb = max(lb, s)
	}
	for _, l := range load {
		lb = max(lb, l)
	}
	return lb
}

// TotalDuration returns the sum of all durations (of every row, valid or
// not; 0 for a nil instance).
func (in *Instance) TotalDuration() int {
	if in == nil {
		return 0
	}
	s := 0
	for _, row := range in.Dur {
		for _, d := range row {
			s += d
		}
	}
	return s
}

// fields splits a line on spaces and tabs.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' })
}

// ints parses every field as an int; ok is false if any field is not one.
func ints(f []string, dst []int) ([]int, bool) {
	dst = dst[:0]
	for _, s := range f {
		v, err := strconv.Atoi(s)
		if err != nil {
			return dst, false
		}
		dst = append(dst, v)
	}
	return dst, true
}

func skipLine(f []string) bool {
	return len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], "+++")
}

// ParseStandard reads one instance in the standard (OR-Library) format: the
// first line holding exactly two integers is "n m", followed by n lines of m
// pairs "machine duration" with 0-based machines. Lines starting with '#' or
// "+++", and header text before "n m", are skipped; anything after the n job
// lines is ignored. Malformed input gives an error wrapping ErrFormat that
// names the line; an invalid instance gives an error wrapping ErrInstance.
func ParseStandard(r io.Reader, name string) (*Instance, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrFormat)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<24)
	line := 0
	in := &Instance{Name: name}
	var buf []int
	for sc.Scan() {
		line++
		f := fields(sc.Text())
		if skipLine(f) {
			continue
		}
		v, ok := ints(f, buf)
		buf = v
		if in.N == 0 {
			if !ok || len(v) != 2 {
				continue // header text
			}
			if v[0] <= 0 || v[1] <= 0 || v[0] > maxOps || v[1] > maxOps || v[0]*v[1] > maxOps {
				return nil, fmt.Errorf("%w: line %d: bad size %d x %d", ErrFormat, line, v[0], v[1])
			}
			in.N, in.M = v[0], v[1]
			continue
		}
		if !ok {
			return nil, fmt.Errorf("%w: line %d: job %d: non-integer field", ErrFormat, line, len(in.Mach))
		}
		if len(v) != 2*in.M {
			return nil, fmt.Errorf("%w: line %d: job %d has %d integers, want %d", ErrFormat, line, len(in.Mach), len(v), 2*in.M)
		}
		mach, dur := make([]int, in.M), make([]int, in.M)
		for k := 0; k < in.M; k++ {
			mach[k], dur[k] = v[2*k], v[2*k+1]
		}
		in.Mach = append(in.Mach, mach)
		in.Dur = append(in.Dur, dur)
		if err := checkJob(in, len(in.Mach)-1); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(in.Mach) == in.N {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: line %d: %v", ErrFormat, line+1, err)
	}
	if in.N == 0 {
		return nil, fmt.Errorf("%w: line %d: no \"n m\" header (empty file?)", ErrFormat, line)
	}
	if len(in.Mach) < in.N {
		return nil, fmt.Errorf("%w: line %d: truncated: %d of %d jobs", ErrFormat, line, len(in.Mach), in.N)
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line, err)
	}
	return in, nil
}

// checkJob validates job j's row (machines in range, each once, positive
// durations).
func checkJob(in *Instance, j int) error {
	seen := make(map[int]bool, in.M)
	for k := 0; k < in.M; k++ {
		mu := in.Mach[j][k]
		if mu < 0 || mu >= in.M {
			return fmt.Errorf("%w: job %d op %d: machine %d out of range [0,%d)", ErrInstance, j, k, mu, in.M)
		}
		if seen[mu] {
			return fmt.Errorf("%w: job %d visits machine %d twice", ErrInstance, j, mu)
		}
		seen[mu] = true
		if in.Dur[j][k] <= 0 {
			return fmt.Errorf("%w: job %d op %d: duration %d not positive", ErrInstance, j, k, in.Dur[j][k])
		}
	}
	return nil
}

// ParseTaillard reads Taillard's original format: for each instance a text
// line "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound,
// Lower bound", a line with those 6 numbers, "Times" and n rows of m
// durations, "Machines" and n rows of m 1-based machine ids. A file usually
// holds 10 instances; they are named "<name>-1", "<name>-2", ... and BKS is
// the header's upper bound. Errors wrap ErrFormat (naming the line) or
// ErrInstance.
func ParseTaillard(r io.Reader, name string) ([]*Instance, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrFormat)
	}
	tr := &taillardReader{sc: bufio.NewScanner(r)}
	tr.sc.Buffer(make([]byte, 0, 64*1024), 1<<24)
	var out []*Instance
	for {
		f := tr.next()
		if f == nil {
			break
		}
		if _, ok := ints(f, tr.buf); ok {
			return nil, fmt.Errorf("%w: line %d: expected the \"Nb of jobs, ...\" header", ErrFormat, tr.line)
		}
		in, err := tr.instance(fmt.Sprintf("%s-%d", name, len(out)+1))
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	if err := tr.sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: line %d: %v", ErrFormat, tr.line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: line %d: no instance (empty file?)", ErrFormat, tr.line)
	}
	return out, nil
}

// taillardReader reads Taillard's format line by line.
type taillardReader struct {
	sc   *bufio.Scanner
	line int
	buf  []int
}

// next returns the next non-skipped line's fields, or nil at EOF.
func (tr *taillardReader) next() []string {
	for tr.sc.Scan() {
		tr.line++
		f := fields(tr.sc.Text())
		if !skipLine(f) {
			return f
		}
	}
	return nil
}

// instance reads one instance after its text header line: the 6 numbers,
// "Times" and the durations, "Machines" and the 1-based machines.
func (tr *taillardReader) instance(name string) (*Instance, error) {
	f := tr.next()
	v, ok := ints(f, tr.buf)
	tr.buf = v
	if f == nil || !ok || len(v) != 6 {
		return nil, fmt.Errorf("%w: line %d: want 6 integers (n, m, seeds, bounds)", ErrFormat, tr.line)
	}
	n, m := v[0], v[1]
	if n <= 0 || m <= 0 || n > maxOps || m > maxOps || n*m > maxOps {
		return nil, fmt.Errorf("%w: line %d: bad size %d x %d", ErrFormat, tr.line, n, m)
	}
	in := &Instance{Name: name, N: n, M: m, BKS: v[4]}
	var err error
	if in.Dur, err = tr.section(in, "Times"); err != nil {
		return nil, err
	}
	if in.Mach, err = tr.section(in, "Machines"); err != nil {
		return nil, err
	}
	for j := range in.Mach {
		for k := range in.Mach[j] {
			in.Mach[j][k]--
		}
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("line %d: %s: %w", tr.line, in.Name, err)
	}
	return in, nil
}

// section reads the line "what" and the N rows of M integers after it.
func (tr *taillardReader) section(in *Instance, what string) ([][]int, error) {
	if f := tr.next(); f == nil || !strings.EqualFold(f[0], what) {
		return nil, fmt.Errorf("%w: line %d: want %q", ErrFormat, tr.line, what)
	}
	var dst [][]int
	for j := 0; j < in.N; j++ {
		f := tr.next()
		if f == nil {
			return nil, fmt.Errorf("%w: line %d: truncated: %s row %d of %d missing", ErrFormat, tr.line, what, j, in.N)
		}
		v, ok := ints(f, tr.buf)
		tr.buf = v
		if !ok || len(v) != in.M {
			return nil, fmt.Errorf("%w: line %d: %s row %d: want %d integers", ErrFormat, tr.line, what, j, in.M)
		}
		dst = append(dst, append([]int(nil), v...))
	}
	return dst, nil
}

// WriteStandard writes inst in the standard format. An invalid instance
// gives an error wrapping ErrInstance and writes nothing.
func WriteStandard(w io.Writer, inst *Instance) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	if w == nil {
		return errors.New("sched: WriteStandard: nil writer")
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%d %d\n", inst.N, inst.M)
	for j := 0; j < inst.N; j++ {
		for k := 0; k < inst.M; k++ {
			if k > 0 {
				bw.WriteByte(' ')
			}
			fmt.Fprintf(bw, "%d %d", inst.Mach[j][k], inst.Dur[j][k])
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// taillardUnif is Taillard's (1993) portable generator: a Lehmer generator
// (multiplier 16807, modulus 2³¹−1, Schrage's method) mapped to [lo, hi].
func taillardUnif(s *int64, lo, hi int) int {
	k := *s / 127773
	*s = 16807*(*s%127773) - 2836*k
	if *s < 0 {
		*s += 2147483647
	}
	return lo + int(math.Floor(float64(*s)/2147483647*float64(hi-lo+1)))
}

// GenerateTaillard generates the n×m Taillard instance of time seed ts and
// machine seed ms exactly as Taillard (1993): all durations U[1,99] first,
// then each job's machine permutation by swaps. It returns an error for
// n, m <= 0 or non-positive seeds.
func GenerateTaillard(n, m int, ts, ms int64) (*Instance, error) {
	if n <= 0 || m <= 0 || n > maxOps || m > maxOps || n*m > maxOps {
		return nil, fmt.Errorf("%w: %d x %d", ErrInstance, n, m)
	}
	if ts <= 0 || ms <= 0 || ts >= 2147483647 || ms >= 2147483647 {
		return nil, fmt.Errorf("%w: seeds must be in [1, 2^31-2], got %d %d", ErrInstance, ts, ms)
	}
	in := &Instance{N: n, M: m, Mach: make([][]int, n), Dur: make([][]int, n)}
	for i := 0; i < n; i++ {
		in.Dur[i] = make([]int, m)
		for j := 0; j < m; j++ {
			in.Dur[i][j] = taillardUnif(&ts, 1, 99)
		}
	}
	for i := 0; i < n; i++ {
		row := make([]int, m)
		for j := range row {
			row[j] = j
		}
		for j := 0; j < m; j++ {
			r := taillardUnif(&ms, j, m-1)
			row[j], row[r] = row[r], row[j]
		}
		in.Mach[i] = row
	}
	return in, nil
}
