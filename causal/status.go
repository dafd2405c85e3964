package causal

import "errors"

// Sentinel errors. Functions wrap them with %w and add detail; test with
// errors.Is.
var (
	// ErrCyclic reports a graph with a directed cycle.
	ErrCyclic = errors.New("causal: graph has a directed cycle")
	// ErrUnknownNode reports a node name or id not in the graph.
	ErrUnknownNode = errors.New("causal: unknown node")
	// ErrGraph reports a malformed graph or an augmented graph violating the
	// method's assumptions (E with parents, Y adjacent to E, Y a descendant of
	// a mutable variable, duplicate names, self loops).
	ErrGraph = errors.New("causal: invalid graph")
	// ErrData reports malformed data: fewer than two environments,
	// mismatched or missing columns, empty environments.
	ErrData = errors.New("causal: invalid data")
	// ErrNotFinite reports NaN or Inf in data.
	ErrNotFinite = errors.New("causal: data not finite")
	// ErrSettings reports an invalid setting (for example a bound B <= 0).
	ErrSettings = errors.New("causal: invalid settings")
)
