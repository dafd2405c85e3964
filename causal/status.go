package causal

import "errors"

// Sentinel errors. Functions wrap them with %w and add detail; test with
// errors.Is. How a run ended is a run.Status (package run).
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
	// ErrDimension reports a slice or matrix whose length does not match
	// the data it goes with (Standardize's mean and std, an environment's
	// columns).
	ErrDimension = errors.New("causal: dimension mismatch")
	// ErrNotFinite reports NaN or Inf in data or settings.
	ErrNotFinite = errors.New("causal: not finite")
	// ErrSettings reports an invalid setting (for example a bound B <= 0).
	ErrSettings = errors.New("causal: invalid settings")
)
