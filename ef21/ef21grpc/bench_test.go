package ef21grpc

import (
	"context"
	"github.com/optlearn/optlearn/run/cputime"
	"testing"
	"time"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/run"
)

const benchRounds = 100

// steady records the time and traffic at round 1 and at the end, so that
// the rates below leave out the setup and the dense initial round.
type steady struct {
	tr         *Transport
	t1, tEnd   time.Time
	c1, cEnd   time.Duration // process CPU time
	s1, sEnd   Stats
	bits1, end int64
}

func (r *steady) Record(it *ef21.Iter) error {
	switch {
	case it.Event == run.Iteration && it.Iteration == 1:
		r.c1, _ = cputime.Process()
		r.t1, r.bits1 = time.Now(), it.Bits
		if r.tr != nil {
			r.s1 = r.tr.Stats()
		}
	case it.Event == run.End:
		r.cEnd, _ = cputime.Process()
		r.tEnd, r.end = time.Now(), it.Bits
		if r.tr != nil {
			r.sEnd = r.tr.Stats()
		}
	}
	return nil
}

// BenchmarkRounds runs EF21-W on a9a (n = 20 clients, sorted split,
// TopK K = 1, as ef21's BenchmarkRound) in process and over gRPC with the
// 20 clients served on loopback in this process. One op is one run of 100
// rounds (with, for gRPC, the clients' start, the connections and the
// setup); rounds/s, the process's CPU time per round (server and
// clients, all in this process) and the per-round traffic are measured
// from round 1 to the end, leaving out the setup and the dense initial
// round.
func BenchmarkRounds(b *testing.B) {
	p, err := logistic("a9a", 20)
	if err != nil {
		b.Fatal(err)
	}
	x0 := make([]float64, p.Dim())
	report := func(b *testing.B, rounds int, dt time.Duration, cpu float64, bits int64) {
		b.ReportMetric(float64(rounds)/dt.Seconds(), "rounds/s")
		b.ReportMetric(cpu*1e3/float64(rounds), "cpu-ms/round")
		b.ReportMetric(float64(bits)/float64(rounds), "bits/round")
	}
	b.Run("a9a/n=20/top1/in-process", func(b *testing.B) {
		var rounds int
		var dt time.Duration
		var cpu float64
		var bits int64
		for b.Loop() {
			rec := &steady{}
			s := &ef21.Settings{Weighted: true, MaxIter: benchRounds, Tol: -1, Recorder: rec}
			if _, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s); err != nil {
				b.Fatal(err)
			}
			rounds += benchRounds - 1
			dt += rec.tEnd.Sub(rec.t1)
			cpu += (rec.cEnd - rec.c1).Seconds()
			bits += rec.end - rec.bits1
		}
		report(b, rounds, dt, cpu, bits)
	})
	b.Run("a9a/n=20/top1/grpc-loopback", func(b *testing.B) {
		var rounds int
		var dt time.Duration
		var cpu float64
		var bits, msg, up, down, tcp int64
		for b.Loop() {
			addrs, stop := goroutineClients(b, p, ef21.TopK{K: 1})
			tr, err := Dial(addrs, nil)
			if err != nil {
				b.Fatal(err)
			}
			rec := &steady{tr: tr}
			s := &ef21.Settings{Weighted: true, MaxIter: benchRounds, Tol: -1, Recorder: rec, Transport: tr}
			if _, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s); err != nil {
				b.Fatal(err)
			}
			tr.Close()
			stop()
			rounds += benchRounds - 1
			dt += rec.tEnd.Sub(rec.t1)
			cpu += (rec.cEnd - rec.c1).Seconds()
			bits += rec.end - rec.bits1
			msg += rec.sEnd.MessageBytes - rec.s1.MessageBytes
			up += rec.sEnd.UplinkBytes - rec.s1.UplinkBytes
			down += rec.sEnd.DownlinkBytes - rec.s1.DownlinkBytes
			tcp += rec.sEnd.TCPBytes - rec.s1.TCPBytes
		}
		report(b, rounds, dt, cpu, bits)
		r := float64(rounds)
		b.ReportMetric(float64(msg)/r, "msg-B/round")
		b.ReportMetric(float64(up)/r, "uplink-B/round")
		b.ReportMetric(float64(down)/r, "downlink-B/round")
		b.ReportMetric(float64(tcp)/r, "tcp-B/round")
	})
}
