// Package claims is the report format shared by the programs under
// examples/: each example checks what its paper (or spec) claims and, with
// -json, ends its output with one JSON line that examples/reproduce reads.
// It also holds the statistics that more than one claim is checked with
// ([Spearman]).
//
// Usage, in an example's main:
//
//	rep := claims.Report{Example: "topk"}
//	rep.Add("TopK contraction", "||TopK(x)-x||^2 <= (1-k/d)||x||^2", measured, ok)
//	rep.Write(os.Stdout, *asJSON) // a table, or one JSON line last
package claims
