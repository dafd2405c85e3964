package ef21grpc

//go:generate protoc --include_imports --descriptor_set_out=ef21.binpb ef21.proto

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/linalg"
)

// The messages of ef21.proto, encoded and decoded by hand with protowire
// (the protobuf module's wire-level API) instead of protoc-gen-go: the
// decoder appends into the caller's buffers, so a round allocates nothing
// per message once the buffers have grown, and it checks what the
// algorithm needs (dimension, indices, finite values). The encoding is the
// canonical protobuf one (fields in number order, zero scalars omitted,
// repeated scalars packed); wire_test.go checks it byte for byte against
// the schema with dynamicpb.

// Field numbers of ef21.proto.
const (
	fSetupN, fSetupDim, fSetupScale, fSetupP, fSetupBatch, fSetupSeed, fSetupInitCmp, fSetupAlpha = 1, 2, 3, 4, 5, 6, 7, 8

	fSetupReplyClient = 1

	fRoundT, fRoundX = 1, 2

	fSparseDim, fSparseIndex, fSparseValue = 1, 2, 3

	fReplyRound, fReplyClient, fReplySent, fReplyMsg, fReplyF, fReplyErrSq, fReplyGrad, fReplyGradCalls, fReplyStochCalls = 1, 2, 3, 4, 5, 6, 7, 8, 9
)

// errWire reports bytes that are not a valid encoding of the message.
var errWire = errors.New("malformed message")

// message is one of the wire messages.
type message interface {
	size() int
	appendTo(b []byte) []byte
	parse(b []byte) error
}

type setupRequest struct {
	n, dim         uint32
	scale          []float64
	p              float64
	batch          uint32
	seed           uint64
	initCompressed bool
	alpha          float64
}

type setupReply struct{ client uint32 }

// roundRequest is the broadcast; enc, when set, is its encoding, made once
// per round and shared by the n calls.
type roundRequest struct {
	round uint64
	x     []float64
	enc   []byte
}

type sparse struct {
	dim   uint32
	index []uint32
	value []float64
}

type roundReply struct {
	round, gradCalls, stochCalls uint64
	client                       uint32
	sent                         bool
	msg                          sparse
	f, errSq                     float64
	grad                         []float64
}

type stopRequest struct{}
type stopReply struct{}

// Size helpers: a scalar field costs its tag and value, and is omitted
// when zero (proto3); a packed field costs tag, length and payload, and is
// omitted when empty.

func sizeVarint(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

func sizeDouble(num protowire.Number, v float64) int {
	if math.Float64bits(v) == 0 {
		return 0
	}
	return protowire.SizeTag(num) + 8
}

func sizeDoubles(num protowire.Number, v []float64) int {
	if len(v) == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(8*len(v))
}

func packedVarintLen(v []uint32) int {
	n := 0
	for _, u := range v {
		n += protowire.SizeVarint(uint64(u))
	}
	return n
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendDouble(b []byte, num protowire.Number, v float64) []byte {
	if math.Float64bits(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

func appendDoubles(b []byte, num protowire.Number, v []float64) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(8*len(v)))
	for _, x := range v {
		b = protowire.AppendFixed64(b, math.Float64bits(x))
	}
	return b
}

func boolVarint(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// parseFields calls f for every field of b with its number, type and
// value bytes (for varint and fixed64 fields, the value is in v); unknown
// fields are f's to skip.
func parseFields(b []byte, f func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", errWire, protowire.ParseError(n))
		}
		b = b[n:]
		var v uint64
		var raw []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			raw, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %w", errWire, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, raw); err != nil {
			return err
		}
	}
	return nil
}

// scalar returns v for a field of the expected type, else an error.
func scalar(num protowire.Number, typ, want protowire.Type, v uint64) (uint64, error) {
	if typ != want {
		return 0, fmt.Errorf("%w: field %d has wire type %d, want %d", errWire, num, typ, want)
	}
	return v, nil
}

func uint32Field(num protowire.Number, typ protowire.Type, v uint64) (uint32, error) {
	v, err := scalar(num, typ, protowire.VarintType, v)
	if err == nil && v > math.MaxUint32 {
		err = fmt.Errorf("%w: field %d: %d overflows uint32", errWire, num, v)
	}
	return uint32(v), err
}

func doubleField(num protowire.Number, typ protowire.Type, v uint64) (float64, error) {
	v, err := scalar(num, typ, protowire.Fixed64Type, v)
	return math.Float64frombits(v), err
}

// appendDoubleField appends a repeated double field, packed or not.
func appendDoubleField(dst []float64, num protowire.Number, typ protowire.Type, v uint64, raw []byte) ([]float64, error) {
	switch typ {
	case protowire.Fixed64Type:
		return append(dst, math.Float64frombits(v)), nil
	case protowire.BytesType:
		if len(raw)%8 != 0 {
			return dst, fmt.Errorf("%w: field %d: packed doubles of %d bytes", errWire, num, len(raw))
		}
		for len(raw) > 0 {
			u, _ := protowire.ConsumeFixed64(raw)
			dst = append(dst, math.Float64frombits(u))
			raw = raw[8:]
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: field %d has wire type %d, want doubles", errWire, num, typ)
}

// appendUint32Field appends a repeated uint32 field, packed or not.
func appendUint32Field(dst []uint32, num protowire.Number, typ protowire.Type, v uint64, raw []byte) ([]uint32, error) {
	switch typ {
	case protowire.VarintType:
		if v > math.MaxUint32 {
			return dst, fmt.Errorf("%w: field %d: %d overflows uint32", errWire, num, v)
		}
		return append(dst, uint32(v)), nil
	case protowire.BytesType:
		for len(raw) > 0 {
			u, n := protowire.ConsumeVarint(raw)
			if n < 0 {
				return dst, fmt.Errorf("%w: field %d: %w", errWire, num, protowire.ParseError(n))
			}
			if u > math.MaxUint32 {
				return dst, fmt.Errorf("%w: field %d: %d overflows uint32", errWire, num, u)
			}
			dst = append(dst, uint32(u))
			raw = raw[n:]
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: field %d has wire type %d, want uint32s", errWire, num, typ)
}

func (m *setupRequest) size() int {
	return sizeVarint(fSetupN, uint64(m.n)) + sizeVarint(fSetupDim, uint64(m.dim)) +
		sizeDoubles(fSetupScale, m.scale) + sizeDouble(fSetupP, m.p) +
		sizeVarint(fSetupBatch, uint64(m.batch)) + seedSize(m.seed) +
		sizeVarint(fSetupInitCmp, boolVarint(m.initCompressed)) + sizeDouble(fSetupAlpha, m.alpha)
}

func seedSize(s uint64) int {
	if s == 0 {
		return 0
	}
	return protowire.SizeTag(fSetupSeed) + 8
}

func (m *setupRequest) appendTo(b []byte) []byte {
	b = appendVarint(b, fSetupN, uint64(m.n))
	b = appendVarint(b, fSetupDim, uint64(m.dim))
	b = appendDoubles(b, fSetupScale, m.scale)
	b = appendDouble(b, fSetupP, m.p)
	b = appendVarint(b, fSetupBatch, uint64(m.batch))
	if m.seed != 0 {
		b = protowire.AppendTag(b, fSetupSeed, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, m.seed)
	}
	b = appendVarint(b, fSetupInitCmp, boolVarint(m.initCompressed))
	return appendDouble(b, fSetupAlpha, m.alpha)
}

func (m *setupRequest) parse(b []byte) error {
	*m = setupRequest{scale: m.scale[:0]}
	return parseFields(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		var err error
		switch num {
		case fSetupN:
			m.n, err = uint32Field(num, typ, v)
		case fSetupDim:
			m.dim, err = uint32Field(num, typ, v)
		case fSetupScale:
			m.scale, err = appendDoubleField(m.scale, num, typ, v, raw)
		case fSetupP:
			m.p, err = doubleField(num, typ, v)
		case fSetupBatch:
			m.batch, err = uint32Field(num, typ, v)
		case fSetupSeed:
			m.seed, err = scalar(num, typ, protowire.Fixed64Type, v)
		case fSetupInitCmp:
			v, err = scalar(num, typ, protowire.VarintType, v)
			m.initCompressed = v != 0
		case fSetupAlpha:
			m.alpha, err = doubleField(num, typ, v)
		}
		return err
	})
}

func (m *setupReply) size() int { return sizeVarint(fSetupReplyClient, uint64(m.client)) }

func (m *setupReply) appendTo(b []byte) []byte {
	return appendVarint(b, fSetupReplyClient, uint64(m.client))
}

func (m *setupReply) parse(b []byte) error {
	*m = setupReply{}
	return parseFields(b, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
		var err error
		if num == fSetupReplyClient {
			m.client, err = uint32Field(num, typ, v)
		}
		return err
	})
}

func (m *roundRequest) size() int {
	if m.enc != nil {
		return len(m.enc)
	}
	return sizeVarint(fRoundT, m.round) + sizeDoubles(fRoundX, m.x)
}

func (m *roundRequest) appendTo(b []byte) []byte {
	if m.enc != nil {
		return append(b, m.enc...)
	}
	b = appendVarint(b, fRoundT, m.round)
	return appendDoubles(b, fRoundX, m.x)
}

func (m *roundRequest) parse(b []byte) error {
	*m = roundRequest{x: m.x[:0]}
	return parseFields(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		var err error
		switch num {
		case fRoundT:
			m.round, err = scalar(num, typ, protowire.VarintType, v)
		case fRoundX:
			m.x, err = appendDoubleField(m.x, num, typ, v, raw)
		}
		return err
	})
}

func (m *sparse) size() int {
	n := sizeVarint(fSparseDim, uint64(m.dim)) + sizeDoubles(fSparseValue, m.value)
	if len(m.index) > 0 {
		n += protowire.SizeTag(fSparseIndex) + protowire.SizeBytes(packedVarintLen(m.index))
	}
	return n
}

func (m *sparse) appendTo(b []byte) []byte {
	b = appendVarint(b, fSparseDim, uint64(m.dim))
	if len(m.index) > 0 {
		b = protowire.AppendTag(b, fSparseIndex, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(packedVarintLen(m.index)))
		for _, j := range m.index {
			b = protowire.AppendVarint(b, uint64(j))
		}
	}
	return appendDoubles(b, fSparseValue, m.value)
}

func (m *sparse) parse(b []byte) error {
	*m = sparse{index: m.index[:0], value: m.value[:0]}
	return parseFields(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		var err error
		switch num {
		case fSparseDim:
			m.dim, err = uint32Field(num, typ, v)
		case fSparseIndex:
			m.index, err = appendUint32Field(m.index, num, typ, v, raw)
		case fSparseValue:
			m.value, err = appendDoubleField(m.value, num, typ, v, raw)
		}
		return err
	})
}

func (m *roundReply) size() int {
	return sizeVarint(fReplyRound, m.round) + sizeVarint(fReplyClient, uint64(m.client)) +
		sizeVarint(fReplySent, boolVarint(m.sent)) +
		protowire.SizeTag(fReplyMsg) + protowire.SizeBytes(m.msg.size()) +
		sizeDouble(fReplyF, m.f) + sizeDouble(fReplyErrSq, m.errSq) + sizeDoubles(fReplyGrad, m.grad) +
		sizeVarint(fReplyGradCalls, m.gradCalls) + sizeVarint(fReplyStochCalls, m.stochCalls)
}

func (m *roundReply) appendTo(b []byte) []byte {
	b = appendVarint(b, fReplyRound, m.round)
	b = appendVarint(b, fReplyClient, uint64(m.client))
	b = appendVarint(b, fReplySent, boolVarint(m.sent))
	b = protowire.AppendTag(b, fReplyMsg, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(m.msg.size()))
	b = m.msg.appendTo(b)
	b = appendDouble(b, fReplyF, m.f)
	b = appendDouble(b, fReplyErrSq, m.errSq)
	b = appendDoubles(b, fReplyGrad, m.grad)
	b = appendVarint(b, fReplyGradCalls, m.gradCalls)
	return appendVarint(b, fReplyStochCalls, m.stochCalls)
}

func (m *roundReply) parse(b []byte) error {
	*m = roundReply{msg: sparse{index: m.msg.index[:0], value: m.msg.value[:0]}, grad: m.grad[:0]}
	return parseFields(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		var err error
		switch num {
		case fReplyRound:
			m.round, err = scalar(num, typ, protowire.VarintType, v)
		case fReplyClient:
			m.client, err = uint32Field(num, typ, v)
		case fReplySent:
			v, err = scalar(num, typ, protowire.VarintType, v)
			m.sent = v != 0
		case fReplyMsg:
			if typ != protowire.BytesType {
				return fmt.Errorf("%w: field %d has wire type %d, want a message", errWire, num, typ)
			}
			// A repeated embedded message field would merge; one is expected.
			err = m.msg.parse(raw)
		case fReplyF:
			m.f, err = doubleField(num, typ, v)
		case fReplyErrSq:
			m.errSq, err = doubleField(num, typ, v)
		case fReplyGrad:
			m.grad, err = appendDoubleField(m.grad, num, typ, v, raw)
		case fReplyGradCalls:
			m.gradCalls, err = scalar(num, typ, protowire.VarintType, v)
		case fReplyStochCalls:
			m.stochCalls, err = scalar(num, typ, protowire.VarintType, v)
		}
		return err
	})
}

func (*stopRequest) size() int                { return 0 }
func (*stopRequest) appendTo(b []byte) []byte { return b }
func (*stopRequest) parse(b []byte) error     { return parseFields(b, skipAll) }
func (*stopReply) size() int                  { return 0 }
func (*stopReply) appendTo(b []byte) []byte   { return b }
func (*stopReply) parse(b []byte) error       { return parseFields(b, skipAll) }

func skipAll(protowire.Number, protowire.Type, uint64, []byte) error { return nil }

// fromUpload fills m from client i's upload of round t.
func (m *roundReply) fromUpload(t uint64, i int, up *ef21.Upload) {
	m.round, m.client, m.sent = t, uint32(i), up.Sent
	m.msg.dim = uint32(up.Msg.N)
	m.msg.index = m.msg.index[:0]
	for _, j := range up.Msg.Index {
		m.msg.index = append(m.msg.index, uint32(j))
	}
	m.msg.value = append(m.msg.value[:0], up.Msg.Value[:len(up.Msg.Index)]...)
	m.f, m.errSq = up.F, up.ErrSq
	m.grad = append(m.grad[:0], up.Grad...)
	m.gradCalls, m.stochCalls = uint64(up.GradCalls), uint64(up.StochGradCalls)
}

// toUpload checks that m is client i's answer to round t in dimension d
// and copies it into up, whose Grad it reuses as its buffer. mark (length
// d) detects repeated indices: an entry equal to stamp means seen, and the
// caller passes a new stamp each time. It returns an error wrapping
// ErrProtocol for an answer to another round or from another client, and
// also ef21.ErrDimension for a message or gradient of the wrong size, an
// index outside [0, d) or repeated, or a message when the client did not
// take part, and ef21.ErrNotFinite for a NaN or Inf; up is then
// unchanged.
func (m *roundReply) toUpload(up *ef21.Upload, t uint64, i, d int, mark []uint64, stamp uint64) error {
	switch {
	case m.round != t:
		return fmt.Errorf("%w: client %d answered round %d to round %d", ErrProtocol, i, m.round, t)
	case int(m.client) != i:
		return fmt.Errorf("%w: client %d answered as client %d", ErrProtocol, i, m.client)
	case len(m.grad) != d:
		return fmt.Errorf("%w: %w: client %d: gradient of length %d, dimension %d", ErrProtocol, ef21.ErrDimension, i, len(m.grad), d)
	}
	if err := checkSparse(&m.msg, d, mark, stamp); err != nil {
		return fmt.Errorf("%w: client %d: %w", ErrProtocol, i, err)
	}
	if !m.sent && len(m.msg.index) > 0 {
		return fmt.Errorf("%w: %w: client %d: a message of %d entries but not taking part", ErrProtocol, ef21.ErrDimension, i, len(m.msg.index))
	}
	if !finite(m.f) || !finite(m.errSq) || !linalg.AllFinite(m.grad) {
		return fmt.Errorf("%w: %w: client %d: f, state error or gradient", ErrProtocol, ef21.ErrNotFinite, i)
	}
	up.Sent = m.sent
	up.Msg.Reset(d)
	for k, j := range m.msg.index {
		up.Msg.Index = append(up.Msg.Index, int(j))
		up.Msg.Value = append(up.Msg.Value, m.msg.value[k])
	}
	up.F, up.ErrSq = m.f, m.errSq
	if len(up.Grad) != d {
		up.Grad = make([]float64, d)
	}
	copy(up.Grad, m.grad)
	up.GradCalls, up.StochGradCalls = int(m.gradCalls), int(m.stochCalls)
	return nil
}

// checkSparse returns an error wrapping ef21.ErrDimension unless m is a
// vector of dimension d with one value per index and distinct indices in
// [0, d), or ef21.ErrNotFinite for a NaN or Inf value.
func checkSparse(m *sparse, d int, mark []uint64, stamp uint64) error {
	if int(m.dim) != d || len(m.index) != len(m.value) {
		return fmt.Errorf("%w: message of dimension %d with %d indices and %d values, want dimension %d", ef21.ErrDimension, m.dim, len(m.index), len(m.value), d)
	}
	for _, j := range m.index {
		if int(j) >= d {
			return fmt.Errorf("%w: message index %d outside [0, %d)", ef21.ErrDimension, j, d)
		}
		if mark[j] == stamp {
			return fmt.Errorf("%w: message index %d repeated", ef21.ErrDimension, j)
		}
		mark[j] = stamp
	}
	if !linalg.AllFinite(m.value) {
		return fmt.Errorf("%w: message value", ef21.ErrNotFinite)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// codecName is the gRPC content-subtype of the codec:
// application/grpc+ef21. The bytes are protobuf (ef21.proto).
const codecName = "ef21"

// codec is the gRPC codec of the wire messages.
type codec struct{}

func (codec) Name() string { return codecName }

func (codec) Marshal(v any) ([]byte, error) {
	m, ok := v.(message)
	if !ok {
		return nil, fmt.Errorf("ef21grpc: cannot encode %T", v)
	}
	switch r := m.(type) {
	case *roundRequest:
		if r.enc != nil {
			return r.enc, nil
		}
	case *raw:
		return *r, nil
	}
	return m.appendTo(make([]byte, 0, m.size())), nil
}

func (codec) Unmarshal(data []byte, v any) error {
	m, ok := v.(message)
	if !ok {
		return fmt.Errorf("ef21grpc: cannot decode into %T", v)
	}
	return m.parse(data)
}

func init() {
	encoding.RegisterCodec(codec{})
}
