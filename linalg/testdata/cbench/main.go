package main

/*
#cgo CFLAGS: -O3 -march=native -ffast-math
__attribute__((noinline)) void axpy(double a,const double*restrict x,double*restrict y,long n){
  for(long i=0;i<n;i++)y[i]+=a*x[i];}
__attribute__((noinline)) double dot(const double*restrict x,const double*restrict y,long n){
  double s0=0,s1=0,s2=0,s3=0,s4=0,s5=0,s6=0,s7=0; long i=0;
  for(;i+8<=n;i+=8){s0+=x[i]*y[i];s1+=x[i+1]*y[i+1];s2+=x[i+2]*y[i+2];s3+=x[i+3]*y[i+3];s4+=x[i+4]*y[i+4];s5+=x[i+5]*y[i+5];s6+=x[i+6]*y[i+6];s7+=x[i+7]*y[i+7];}
  for(;i<n;i++)s0+=x[i]*y[i];
  return s0+s1+s2+s3+s4+s5+s6+s7;}
static void axpy_rep(double a,const double*x,double*y,long n,long reps){for(long r=0;r<reps;r++)axpy(a,x,y,n);}
static double dot_rep(const double*x,const double*y,long n,long reps){volatile double s=0;for(long r=0;r<reps;r++)s+=dot(x,y,n);return s;}
*/
import "C"

import (
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/optlearn/optlearn/linalg"
)

// layout returns x and y of length n in one allocation: x 64-byte aligned,
// y starting 64 bytes after the end of x rounded up to 64 bytes.
func layout(n int) (x, y []float64) {
	buf := make([]float64, 2*n+64)
	off := 0
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	x = buf[off : off+n]
	yo := off + (n+7)/8*8 + 8
	y = buf[yo : yo+n]
	for i := range x {
		x[i] = 1 / float64(i+1)
		y[i] = float64(i % 7)
	}
	return x, y
}

var sink float64

func main() {
	pairs := flag.Int("pairs", 300, "number of alternations")
	block := flag.Duration("block", 500*time.Microsecond, "length of one timed block")
	kerns := flag.String("k", "axpy,dot", "kernels, comma-separated")
	sizesFlag := flag.String("n", "1000,100000", "vector lengths, comma-separated")
	flag.Parse()
	var sizes []int
	for _, f := range strings.Split(*sizesFlag, ",") {
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			fmt.Println("bad -n:", f)
			return
		}
		sizes = append(sizes, v)
	}
	fmt.Println("linalg kernel path:", linalg.KernelPath())
	for _, kern := range strings.Split(*kerns, ",") {
		if kern != "axpy" && kern != "dot" {
			fmt.Println("bad -k:", kern)
			return
		}
		for _, n := range sizes {
			x, y := layout(n)
			px := (*C.double)(unsafe.Pointer(&x[0]))
			py := (*C.double)(unsafe.Pointer(&y[0]))
			goRun := func(reps int) {
				if kern == "axpy" {
					for r := 0; r < reps; r++ {
						linalg.Axpy(1e-9, x, y)
					}
					return
				}
				s := 0.0
				for r := 0; r < reps; r++ {
					s += linalg.Dot(x, y)
				}
				sink += s
			}
			cRun := func(reps int) {
				if kern == "axpy" {
					C.axpy_rep(1e-9, px, py, C.long(n), C.long(reps))
					return
				}
				sink += float64(C.dot_rep(px, py, C.long(n), C.long(reps)))
			}
			reps := 1
			for {
				t := time.Now()
				cRun(reps)
				if time.Since(t) > *block/4 {
					break
				}
				reps *= 2
			}
			reps *= 4
			var rat, tg, tc []float64
			for p := 0; p < *pairs; p++ {
				var dg, dc time.Duration
				if p%2 == 0 {
					t := time.Now()
					goRun(reps)
					dg = time.Since(t)
					t = time.Now()
					cRun(reps)
					dc = time.Since(t)
				} else {
					t := time.Now()
					cRun(reps)
					dc = time.Since(t)
					t = time.Now()
					goRun(reps)
					dg = time.Since(t)
				}
				g := float64(dg.Nanoseconds()) / float64(reps)
				c := float64(dc.Nanoseconds()) / float64(reps)
				tg = append(tg, g)
				tc = append(tc, c)
				rat = append(rat, c/g)
			}
			sort.Float64s(rat)
			sort.Float64s(tg)
			sort.Float64s(tc)
			q := func(a []float64, f float64) float64 { return a[int(f*float64(len(a)-1))] }
			fmt.Printf("%s d=%d: linalg best %.1f median %.1f ns | C best %.1f median %.1f ns | C/Go: best times %.2f, per-pair median %.2f (quartiles %.2f-%.2f)\n",
				kern, n, tg[0], q(tg, .5), tc[0], q(tc, .5), tc[0]/tg[0], q(rat, .5), q(rat, .25), q(rat, .75))
		}
	}
}
