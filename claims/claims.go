package claims

import (
	"encoding/json"
	"fmt"
	"io"
)

// Claim is one check of what a paper says against what a run measured.
type Claim struct {
	// Name says what is checked, in a few words.
	Name string `json:"name"`
	// Paper is what the paper or spec reports or requires.
	Paper string `json:"paper"`
	// Measured is what this run measured.
	Measured string `json:"measured"`
	// Pass reports whether the measurement supports the claim.
	Pass bool `json:"pass"`
}

// Report is the last line an example prints with -json.
type Report struct {
	Example string  `json:"example"`
	Claims  []Claim `json:"claims"`
}

// Add appends a claim and returns it for chaining into printouts.
func (r *Report) Add(name, paper, measured string, pass bool) Claim {
	c := Claim{Name: name, Paper: paper, Measured: measured, Pass: pass}
	r.Claims = append(r.Claims, c)
	return c
}

// Passed reports whether every claim passed.
func (r *Report) Passed() bool {
	for _, c := range r.Claims {
		if !c.Pass {
			return false
		}
	}
	return true
}

// Write prints the claims as a table (one PASS or FAIL line per claim, with
// what the paper says and what was measured) and a count, and then, when
// asJSON is set, the report as one JSON line, which is the last line of the
// example's output. Every example prints its verdicts this way.
func (r *Report) Write(w io.Writer, asJSON bool) error {
	passed := 0
	for _, c := range r.Claims {
		verdict := "PASS"
		if c.Pass {
			passed++
		} else {
			verdict = "FAIL"
		}
		if _, err := fmt.Fprintf(w, "%s  %s\n      paper: %s\n      measured: %s\n", verdict, c.Name, c.Paper, c.Measured); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "%s: %d of %d claims pass\n", r.Example, passed, len(r.Claims)); err != nil {
		return err
	}
	if !asJSON {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// Parse reads a report from the last non-empty line of an example's output.
func Parse(out []byte) (Report, error) {
	end := len(out)
	for end > 0 && (out[end-1] == '\n' || out[end-1] == '\r' || out[end-1] == ' ') {
		end--
	}
	start := end
	for start > 0 && out[start-1] != '\n' {
		start--
	}
	var r Report
	if start == end {
		return r, fmt.Errorf("claims: empty output")
	}
	if err := json.Unmarshal(out[start:end], &r); err != nil {
		return r, fmt.Errorf("claims: last line is not a report: %w", err)
	}
	if r.Example == "" || len(r.Claims) == 0 {
		return r, fmt.Errorf("claims: report names no example or has no claims")
	}
	return r, nil
}
