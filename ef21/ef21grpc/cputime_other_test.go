//go:build !unix

package ef21grpc

import "math"

// cpuTime is not measured where getrusage is missing; the cpu-ms/round
// metric then reads NaN.
func cpuTime() float64 { return math.NaN() }
