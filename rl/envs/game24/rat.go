package game24

import (
	"fmt"
	"strconv"
)

// Rat is an exact rational number Num/Den in lowest terms with Den > 0.
// Game24's numbers stay small (four operands of at most 13 and three
// operations), so int64 never overflows.
type Rat struct {
	Num, Den int64
}

// Int returns n as a Rat.
func Int(n int64) Rat { return Rat{n, 1} }

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func norm(n, d int64) Rat {
	if d < 0 {
		n, d = -n, -d
	}
	g := gcd(n, d)
	if g > 1 {
		n, d = n/g, d/g
	}
	return Rat{n, d}
}

// Op is an arithmetic operation.
type Op int8

// The four operations.
const (
	Add Op = iota
	Sub
	Mul
	Div
)

var opSymbols = [4]string{"+", "-", "*", "/"}

// String returns +, -, * or /.
func (o Op) String() string { return opSymbols[o] }

// Apply returns a op b, and ok = false for a division by zero.
func (o Op) Apply(a, b Rat) (Rat, bool) {
	switch o {
	case Add:
		return norm(a.Num*b.Den+b.Num*a.Den, a.Den*b.Den), true
	case Sub:
		return norm(a.Num*b.Den-b.Num*a.Den, a.Den*b.Den), true
	case Mul:
		return norm(a.Num*b.Num, a.Den*b.Den), true
	}
	if b.Num == 0 {
		return Rat{0, 1}, false
	}
	return norm(a.Num*b.Den, a.Den*b.Num), true
}

// IsInt reports whether r is an integer.
func (r Rat) IsInt() bool { return r.Den == 1 }

// Float returns r as a float64.
func (r Rat) Float() float64 { return float64(r.Num) / float64(r.Den) }

// Less reports whether r < s.
func (r Rat) Less(s Rat) bool { return r.Num*s.Den < s.Num*r.Den }

// Is24 reports whether r = 24.
func (r Rat) Is24() bool { return r.Den == 1 && r.Num == 24 }

// String formats r as "n" or "n/d".
func (r Rat) String() string {
	if r.Den == 1 {
		return strconv.FormatInt(r.Num, 10)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}
