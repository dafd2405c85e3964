// Command cbench times linalg.Axpy and linalg.Dot against the C loops of
// ../shared/anchors (dot.c's dot product, and the same program's loop
// y[i] += a*x[i]), compiled by cgo with gcc -O3 -march=native -ffast-math,
// in one process on the same 64-byte aligned buffers (laid out as dot.c's
// aligned_alloc gives them). It alternates timed blocks of the two (about
// 0.5 ms each, the order swapped every pair) and prints, per kernel and
// size, the best and median time of each and the ratio C/Go: of the best
// times, and the median and quartiles of the per-pair ratios. On a shared,
// loaded machine the best times and the per-pair median are what to read.
//
//	go run ./linalg/testdata/cbench -pairs 300
//
// It is the measuring tool of the Dot/Axpy rows of the README's benchmark
// table (issue 15: the kernels against what a C user would write, at
// d = 10³ and 10⁵); it implements no paper. It lives under testdata so that
// go build ./... and go test ./... skip it (it needs cgo and a C compiler).
package main
