// Command sched-learned evaluates the learned dispatching rule of Tassel,
// Gebser and Schekotihin (ICAPS 2023, arXiv 2306.05747).
package main

import (
	"context"
	"flag"
	"log"
	"os"
)

func main() {
	trainOut := flag.String("train", "", "train a network and write it to this file (never done by default)")
	updates := flag.Int("updates", 70, "training updates (with -train)")
	seed := flag.Uint64("seed", 0, "training seed (with -train)")
	flag.Parse()
	if *trainOut != "" {
		if err := train(context.Background(), *trainOut, *updates, *seed, os.Stderr); err != nil {
			log.Fatal(err)
		}
		return
	}
}
