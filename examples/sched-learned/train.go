package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched/learned"
)

// train runs the training that made the shipped weights (with the same
// flags it reproduces them bit for bit) and writes the network to out,
// with a checkpoint every 10 updates to out+".ckpt".
func train(ctx context.Context, out string, updates int, seed uint64, progress io.Writer) error {
	start := time.Now()
	ckpt := run.RecorderFunc[*learned.Iter](func(it *learned.Iter) error {
		if it.Event == run.Iteration && it.Iteration%10 == 0 {
			return it.Net.SaveFile(out + ".ckpt")
		}
		return nil
	})
	set := &learned.Settings{
		Updates:  updates,
		Rand:     rand.New(rand.NewPCG(seed, 0)),
		Recorder: run.Tee[*learned.Iter](&learned.Printer{W: progress, Interval: -1}, ckpt),
	}
	res, err := learned.Train(ctx, nil, set)
	if err != nil {
		return err
	}
	if err := res.Net.SaveFile(out); err != nil {
		return err
	}
	fmt.Fprintf(progress, "trained %d updates (%v) in %v; weights in %s\n", res.Iterations, res.Status, time.Since(start).Round(time.Second), out)
	return nil
}
