package ef21grpc

import "errors"

// Sentinel errors. A run that stops because of the transport ends with
// Status run.Failure and an error wrapping one of them that names the
// client (its index and address) and the round.
var (
	// ErrSettings reports invalid Settings or arguments (no address, a
	// repeated address, a negative timeout, DropLost without partial
	// participation, a nil listener, oracle or compressor ...).
	ErrSettings = errors.New("ef21grpc: invalid settings")
	// ErrUnreachable reports a client that did not answer the setup call
	// within Settings.RoundTimeout (wrong address, process not started).
	ErrUnreachable = errors.New("ef21grpc: client unreachable")
	// ErrLost reports a client that stopped answering during the run:
	// every attempt of a round's call failed (connection refused or
	// reset, deadline exceeded).
	ErrLost = errors.New("ef21grpc: client lost")
	// ErrProtocol reports an answer that breaks the protocol: another
	// round or client index than asked, a repeated client index, a
	// malformed message or one that fails the checks (then the error also
	// wraps ef21.ErrDimension or ef21.ErrNotFinite).
	ErrProtocol = errors.New("ef21grpc: protocol violation")
	// ErrRemote reports an error the client process returned (for example
	// its oracle's gradient was not finite, or its data do not match the
	// server's setup); the message is the client's.
	ErrRemote = errors.New("ef21grpc: client error")
)
