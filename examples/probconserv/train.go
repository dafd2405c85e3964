package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/optlearn/optlearn/pde/anp"
	"github.com/optlearn/optlearn/run"
)

// trainFlags are the settings of -train mode, which fits the ANP step-1
// model and writes its checkpoint (the shipped weights are made by it).
type trainFlags struct {
	variant   string // "anp" or "softc"
	family    string
	functions int
	extra     int
	steps     int
	hidden    int
	seed      uint64
	out       string
	every     int
}

func parseFamily(s string) (anp.Family, error) {
	for _, f := range []anp.Family{anp.Diffusion, anp.PME, anp.Stefan} {
		if strings.EqualFold(s, f.String()) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown family %q (diffusion, PME or Stefan)", s)
}

// trainModel trains one model: data from PCG(seed, 0), initial weights
// from PCG(seed, 1), minibatches and ε from PCG(seed, 2). The same flags
// give the same weights bit for bit. A checkpoint is written every
// tf.every steps (to out + ".partial") and at the end (to out).
func trainModel(ctx context.Context, tf trainFlags) error {
	fam, err := parseFamily(tf.family)
	if err != nil {
		return err
	}
	lambda := 0.0
	switch tf.variant {
	case "anp":
	case "softc":
		lambda = 1
	default:
		return fmt.Errorf("unknown -train %q (anp or softc)", tf.variant)
	}
	data, err := anp.MakeData([]anp.Family{fam}, tf.functions, tf.extra, rand.New(rand.NewPCG(tf.seed, 0)))
	if err != nil {
		return err
	}
	m, err := anp.New(anp.Architecture{Hidden: tf.hidden}, rand.New(rand.NewPCG(tf.seed, 1)))
	if err != nil {
		return err
	}
	command := fmt.Sprintf("go run ./examples/probconserv -train %s -family %s -functions %d -extra %d -steps %d -hidden %d -seed %d",
		tf.variant, fam, tf.functions, tf.extra, tf.steps, tf.hidden, tf.seed)
	meta := map[string]string{"command": command, "variant": tf.variant, "family": fam.String(),
		"functions": strconv.Itoa(tf.functions), "steps": strconv.Itoa(tf.steps), "lambda": strconv.FormatFloat(lambda, 'g', -1, 64)}
	save := func(path string, it *anp.Iter) error {
		var buf bytes.Buffer
		meta["step"] = strconv.Itoa(it.Iteration)
		meta["loss"] = strconv.FormatFloat(it.Loss, 'g', 6, 64)
		meta["train_seconds"] = strconv.FormatFloat(it.Elapsed.Seconds(), 'f', 0, 64)
		if err := m.Save(&buf, meta); err != nil {
			return err
		}
		return os.WriteFile(path, buf.Bytes(), 0o644)
	}
	var final anp.Iter
	rec := run.Tee[*anp.Iter](
		&run.Printer[*anp.Iter]{W: os.Stderr, Interval: 30 * time.Second, Prefix: fmt.Sprintf("train %s %s: ", tf.variant, fam)},
		run.RecorderFunc[*anp.Iter](func(it *anp.Iter) error {
			if it.Event == run.Iteration {
				final = *it
				if tf.every > 0 && it.Iteration%tf.every == 0 {
					return save(tf.out+".partial", it)
				}
			}
			return nil
		}))
	fmt.Fprintf(os.Stderr, "%s\n%d functions, %d parameters\n", command, len(data), m.NumParams())
	res, err := anp.Train(ctx, m, data, &anp.Settings{MaxIter: tf.steps, Lambda: lambda, Rand: rand.New(rand.NewPCG(tf.seed, 2)), Recorder: rec})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "done: %d steps in %v (%.2f steps/s), last-100 loss %.4f nll %.4f kl %.4f residual %.4g\n",
		res.Iterations, res.Elapsed.Round(time.Second), float64(res.Iterations)/res.Elapsed.Seconds(), res.Loss, res.NLL, res.KL, res.Residual)
	final.Elapsed = res.Elapsed
	if err := save(tf.out, &final); err != nil {
		return err
	}
	os.Remove(tf.out + ".partial")
	return nil
}
