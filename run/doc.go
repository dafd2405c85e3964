// Package run holds what every long-running method of optlearn shares, so
// that a user who has driven one solver can drive any other: why a run
// stopped ([Status]), the [Recorder] contract, a generic [History] for plots,
// a [Printer] for progress lines, and [Loop], the bookkeeping of one run
// (start, each major iteration, end; the context, time limit and recorder
// checks between them).
//
// It implements no paper. What is domain-specific stays in the domain
// packages: each defines its own Iter (embedding [Progress]), its Result
// counters and its Settings.
//
// # The contract
//
// A method that runs for more than a moment takes ctx first and never
// stores it:
//
//	res, err := ef21.Run(ctx, oracle, x0, compressor, &ef21.Settings{MaxIter: 500, Recorder: rec})
//
// Its Recorder is called once at the start ([Start]), after every major
// iteration ([Iteration]; each package's doc says what one iteration is)
// and once at the end ([End], with the final [Status]). A non-nil error
// from Record stops the run with [RecorderStopped] and is returned wrapped.
// A Recorder must not modify what it sees nor keep slices of it beyond the
// call.
//
// Settings across the library follow one rule: MaxIter caps
// Result.Iterations; a tolerance Tol of zero means the documented default
// and a negative one turns that test off; TimeLimit zero means none and a
// negative one is an error; Rand nil means a documented fixed seed.
//
// Usage, from inside a package that defines Iter with an embedded Progress:
//
//	loop := run.Loop[*Iter]{Recorder: s.Recorder, MaxIter: maxIter, TimeLimit: s.TimeLimit}
//	if err := loop.Start(it); err != nil { ... }
//	for {
//		... one iteration; converged := the method's stopping test ...
//		if st, err := loop.Next(ctx, it, converged); st != run.NotTerminated {
//			return res, loop.End(it, st, err)
//		}
//	}
package run
