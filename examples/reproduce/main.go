// Command reproduce runs every program under examples/ in its quick mode
// with -json, two at a time, and prints one table of the claims they check:
// what each paper reports beside what this machine measured.
//
//	go run ./examples/reproduce              # all examples, quick mode
//	go run ./examples/reproduce -only topk   # just the named ones
//	go run ./examples/reproduce -quick=false # the full-size runs
//
// Examples whose claims time work spread over goroutines run after the
// others, one at a time (see alone). An example that fails to build or
// run, or prints no report, is a failed row; the exit status is 1 if any
// row or claim failed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/optlearn/optlearn/claims"
)

// alone names the examples whose claims time parallel work against
// serial work (hcmoe's C6: the experts in goroutines against one
// constraint). Beside another example they would measure the scheduler's
// share of the cores rather than the code, so they run last, alone.
var alone = map[string]bool{"hcmoe": true}

type result struct {
	name    string
	report  claims.Report
	err     error
	elapsed time.Duration
	tail    string
}

func main() {
	only := flag.String("only", "", "comma-separated example names to run (default: all)")
	quick := flag.Bool("quick", true, "run each example in its quick mode")
	jobs := flag.Int("j", 2, "examples run at a time")
	timeout := flag.Duration("timeout", 10*time.Minute, "time limit per example, build included")
	flag.Parse()
	log.SetFlags(0)

	root, err := moduleRoot()
	if err != nil {
		log.Fatal(err)
	}
	names, err := exampleNames(filepath.Join(root, "examples"), *only)
	if err != nil {
		log.Fatal(err)
	}
	bin, err := os.MkdirTemp("", "optlearn-reproduce")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(bin)

	var solo []string
	for _, name := range names {
		if alone[name] {
			solo = append(solo, name)
		}
	}
	fmt.Printf("running %d examples (%s), %d at a time", len(names), strings.Join(names, ", "), *jobs)
	if len(solo) > 0 && len(names) > 1 {
		fmt.Printf("; %s after the others, alone", strings.Join(solo, ", "))
	}
	fmt.Println()
	results := make([]result, len(names))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sem  = make(chan struct{}, max(1, *jobs))
		done int
	)
	runOne := func(i int) {
		r := run(root, bin, names[i], *quick, *timeout)
		results[i] = r
		mu.Lock()
		done++
		printRow(done, len(names), r)
		mu.Unlock()
	}
	for i, name := range names {
		if alone[name] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			runOne(i)
			<-sem
		}()
	}
	wg.Wait()
	for i, name := range names {
		if alone[name] {
			runOne(i)
		}
	}

	failed := printTable(results)
	if failed > 0 {
		fmt.Printf("\n%d of the rows above failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("\nall claims passed")
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("reproduce: go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("reproduce: run it inside the optlearn module")
	}
	return filepath.Dir(mod), nil
}

// exampleNames lists the example programs: the folders of examples/ that
// hold a main.go, except this runner.
func exampleNames(dir, only string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "reproduce" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "main.go")); err == nil {
			names = append(names, e.Name())
		}
	}
	if only == "" {
		return names, nil
	}
	var picked []string
	for _, n := range strings.Split(only, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("reproduce: no example %q (have %s)", n, strings.Join(names, ", "))
		}
		picked = append(picked, n)
	}
	return picked, nil
}

func run(root, bin, name string, quick bool, timeout time.Duration) result {
	r := result{name: name}
	start := time.Now()
	defer func() { r.elapsed = time.Since(start) }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	exe := filepath.Join(bin, name)
	build := exec.CommandContext(ctx, "go", "build", "-o", exe, "./examples/"+name)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		r.err = fmt.Errorf("build failed: %v", err)
		r.tail = lastLines(out, 5)
		r.elapsed = time.Since(start)
		return r
	}
	cmd := exec.CommandContext(ctx, exe, fmt.Sprintf("-quick=%v", quick), "-json")
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r.elapsed = time.Since(start)
	if ctx.Err() != nil {
		r.err = fmt.Errorf("timed out after %v", timeout)
	} else if err != nil {
		r.err = fmt.Errorf("run failed: %v", err)
	}
	rep, perr := claims.Parse(stdout.Bytes())
	if perr == nil {
		r.report = rep
	} else if r.err == nil {
		r.err = perr
	}
	if r.err != nil {
		r.tail = lastLines(append(stdout.Bytes(), stderr.Bytes()...), 5)
	}
	return r
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (r result) passed() (pass, total int) {
	for _, c := range r.report.Claims {
		if c.Pass {
			pass++
		}
	}
	return pass, len(r.report.Claims)
}

func printRow(done, n int, r result) {
	pass, total := r.passed()
	status := "ok"
	switch {
	case r.err != nil:
		status = "FAILED: " + r.err.Error()
	case pass < total:
		status = "claims failed"
	}
	fmt.Printf("[%d/%d] %-18s %7.1fs  %d/%d claims  %s\n", done, n, r.name, r.elapsed.Seconds(), pass, total, status)
	if r.tail != "" {
		for _, l := range strings.Split(r.tail, "\n") {
			fmt.Printf("        | %s\n", l)
		}
	}
}

// printTable prints every claim and returns the number of failed rows.
func printTable(results []result) int {
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "example\tclaim\tpaper\tmeasured\tresult")
	failed := 0
	for _, r := range results {
		if r.err != nil {
			failed++
			fmt.Fprintf(w, "%s\t(example)\t-\t%s\tFAIL\n", r.name, oneLine(r.err.Error()))
			continue
		}
		for _, c := range r.report.Claims {
			verdict := "pass"
			if !c.Pass {
				verdict = "FAIL"
				failed++
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.name, oneLine(c.Name), oneLine(c.Paper), oneLine(c.Measured), verdict)
		}
	}
	w.Flush()
	return failed
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}
