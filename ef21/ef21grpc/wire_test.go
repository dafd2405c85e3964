package ef21grpc

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/optlearn/optlearn/ef21"
)

// schema returns the message descriptors of ef21.proto, from the
// descriptor set protoc generated (go generate).
func schema(t testing.TB) protoreflect.FileDescriptor {
	t.Helper()
	b, err := os.ReadFile("ef21.binpb")
	if err != nil {
		t.Fatal(err)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := files.FindFileByPath("ef21.proto")
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func doubles(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch rng.IntN(6) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = math.Copysign(0, -1)
		default:
			v[i] = rng.NormFloat64() * math.Exp(rng.NormFloat64()*20)
		}
	}
	return v
}

// randomReply returns a reply with random fields, some of them zero.
func randomReply(rng *rand.Rand) *roundReply {
	d := 1 + rng.IntN(300)
	k := rng.IntN(d + 1)
	m := &roundReply{round: rng.Uint64() >> rng.IntN(64), client: uint32(rng.IntN(3) * rng.IntN(1000)),
		sent: rng.IntN(2) == 0, f: doubles(rng, 1)[0], errSq: doubles(rng, 1)[0],
		grad: doubles(rng, rng.IntN(2)*d), gradCalls: uint64(rng.IntN(2) * rng.IntN(1<<20)),
		stochCalls: uint64(rng.IntN(2) * rng.IntN(1<<20))}
	m.msg.dim = uint32(d)
	for _, j := range rng.Perm(d)[:k] {
		m.msg.index = append(m.msg.index, uint32(j))
	}
	m.msg.value = doubles(rng, k)
	return m
}

// dynamicReply returns m as a dynamic message of the schema.
func dynamicReply(fd protoreflect.FileDescriptor, m *roundReply) *dynamicpb.Message {
	rd := fd.Messages().ByName("RoundReply")
	sd := fd.Messages().ByName("Sparse")
	r := dynamicpb.NewMessage(rd)
	f := rd.Fields()
	set := func(msg *dynamicpb.Message, fd protoreflect.FieldDescriptor, v protoreflect.Value) { msg.Set(fd, v) }
	set(r, f.ByName("round"), protoreflect.ValueOfUint64(m.round))
	set(r, f.ByName("client"), protoreflect.ValueOfUint32(m.client))
	set(r, f.ByName("sent"), protoreflect.ValueOfBool(m.sent))
	set(r, f.ByName("f"), protoreflect.ValueOfFloat64(m.f))
	set(r, f.ByName("err_sq"), protoreflect.ValueOfFloat64(m.errSq))
	set(r, f.ByName("grad_calls"), protoreflect.ValueOfUint64(m.gradCalls))
	set(r, f.ByName("stoch_grad_calls"), protoreflect.ValueOfUint64(m.stochCalls))
	g := r.Mutable(f.ByName("grad")).List()
	for _, v := range m.grad {
		g.Append(protoreflect.ValueOfFloat64(v))
	}
	s := dynamicpb.NewMessage(sd)
	s.Set(sd.Fields().ByName("dim"), protoreflect.ValueOfUint32(m.msg.dim))
	il := s.Mutable(sd.Fields().ByName("index")).List()
	for _, j := range m.msg.index {
		il.Append(protoreflect.ValueOfUint32(j))
	}
	vl := s.Mutable(sd.Fields().ByName("value")).List()
	for _, v := range m.msg.value {
		vl.Append(protoreflect.ValueOfFloat64(v))
	}
	r.Set(f.ByName("msg"), protoreflect.ValueOfMessage(s))
	return r
}

// TestWireMatchesSchema checks the hand-written encoding against the
// protobuf library's for the schema ef21.proto, byte for byte, and that
// the decoder reads back what the library encodes.
func TestWireMatchesSchema(t *testing.T) {
	fd := schema(t)
	rng := rand.New(rand.NewPCG(1, 2))
	opts := proto.MarshalOptions{Deterministic: true}
	for range 300 {
		m := randomReply(rng)
		want, err := opts.Marshal(dynamicReply(fd, m))
		if err != nil {
			t.Fatal(err)
		}
		got := m.appendTo(nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("reply encodings differ:\n got %x\nwant %x", got, want)
		}
		if m.size() != len(got) {
			t.Fatalf("size %d, encoded %d bytes", m.size(), len(got))
		}
		var back roundReply
		if err := back.parse(want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.appendTo(nil), want) {
			t.Fatal("decode then encode changed the message")
		}
	}
	// The other messages, through their fields.
	sd := fd.Messages().ByName("SetupRequest")
	for range 100 {
		n := 1 + rng.IntN(50)
		m := &setupRequest{n: uint32(n), dim: uint32(rng.IntN(1 << 20)), scale: doubles(rng, n), p: doubles(rng, 1)[0],
			batch: uint32(rng.IntN(2) * rng.IntN(100)), seed: rng.Uint64() >> rng.IntN(64), initCompressed: rng.IntN(2) == 0, alpha: rng.Float64()}
		d := dynamicpb.NewMessage(sd)
		fs := sd.Fields()
		d.Set(fs.ByName("n"), protoreflect.ValueOfUint32(m.n))
		d.Set(fs.ByName("dim"), protoreflect.ValueOfUint32(m.dim))
		l := d.Mutable(fs.ByName("scale")).List()
		for _, v := range m.scale {
			l.Append(protoreflect.ValueOfFloat64(v))
		}
		d.Set(fs.ByName("p"), protoreflect.ValueOfFloat64(m.p))
		d.Set(fs.ByName("batch"), protoreflect.ValueOfUint32(m.batch))
		d.Set(fs.ByName("seed"), protoreflect.ValueOfUint64(m.seed))
		d.Set(fs.ByName("init_compressed"), protoreflect.ValueOfBool(m.initCompressed))
		d.Set(fs.ByName("alpha"), protoreflect.ValueOfFloat64(m.alpha))
		want, _ := opts.Marshal(d)
		if got := m.appendTo(nil); !bytes.Equal(got, want) || m.size() != len(want) {
			t.Fatalf("setup encodings differ:\n got %x\nwant %x", got, want)
		}
		var back setupRequest
		if err := back.parse(want); err != nil || !bytes.Equal(back.appendTo(nil), want) {
			t.Fatalf("setup round trip: %v", err)
		}
	}
	rd := fd.Messages().ByName("RoundRequest")
	for range 100 {
		m := &roundRequest{round: rng.Uint64() >> rng.IntN(64), x: doubles(rng, rng.IntN(100))}
		d := dynamicpb.NewMessage(rd)
		d.Set(rd.Fields().ByName("round"), protoreflect.ValueOfUint64(m.round))
		l := d.Mutable(rd.Fields().ByName("x")).List()
		for _, v := range m.x {
			l.Append(protoreflect.ValueOfFloat64(v))
		}
		want, _ := opts.Marshal(d)
		if got := m.appendTo(nil); !bytes.Equal(got, want) || m.size() != len(want) {
			t.Fatalf("round request encodings differ:\n got %x\nwant %x", got, want)
		}
		var back roundRequest
		if err := back.parse(want); err != nil || !bytes.Equal(back.appendTo(nil), want) {
			t.Fatalf("round request round trip: %v", err)
		}
	}
	// setupReply: one field.
	var sr setupReply
	if err := sr.parse((&setupReply{client: 7}).appendTo(nil)); err != nil || sr.client != 7 {
		t.Fatalf("setup reply: %v %d", err, sr.client)
	}
}

// TestWireUnpacked checks that the decoder also reads repeated fields
// written unpacked (allowed by the protobuf spec) and skips unknown
// fields.
func TestWireUnpacked(t *testing.T) {
	// Sparse{dim: 5, index: [3, 1] unpacked, value: [2.5] unpacked, then
	// 0.5 packed}, and an unknown field 9 (varint).
	var b []byte
	b = appendVarint(b, fSparseDim, 5)
	b = appendVarint(b, fSparseIndex, 3)
	b = appendVarint(b, fSparseIndex, 1)
	b = appendDouble(b, fSparseValue, 2.5)
	b = appendDoubles(b, fSparseValue, []float64{0.5})
	b = appendVarint(b, 9, 42)
	var s sparse
	if err := s.parse(b); err != nil {
		t.Fatal(err)
	}
	if s.dim != 5 || len(s.index) != 2 || s.index[0] != 3 || s.index[1] != 1 || len(s.value) != 2 || s.value[0] != 2.5 || s.value[1] != 0.5 {
		t.Fatalf("decoded %+v", s)
	}
}

// checkDecoded checks the invariants of an answer that toUpload accepted.
func checkDecoded(t *testing.T, up *ef21.Upload, d int) {
	if up.Msg.N != d || len(up.Msg.Index) != len(up.Msg.Value) || len(up.Grad) != d {
		t.Fatalf("accepted a message of the wrong size: %+v", up.Msg)
	}
	seen := map[int]bool{}
	for k, j := range up.Msg.Index {
		if j < 0 || j >= d || seen[j] || !finite(up.Msg.Value[k]) {
			t.Fatalf("accepted entry %d = %v", j, up.Msg.Value[k])
		}
		seen[j] = true
	}
	if !up.Sent && len(up.Msg.Index) > 0 {
		t.Fatal("accepted a message from a client that did not take part")
	}
	// What the server does with it must not fail.
	w := []float64{1}
	srv, err := ef21.NewServer(make([]float64, d), w, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Fold(0, &up.Msg); err != nil {
		t.Fatalf("Fold of an accepted message: %v", err)
	}
}

// FuzzDecodeReply feeds arbitrary bytes to the decoder of a round's
// answer and to its checks (wire -> linalg.Sparse): no panic, and an
// accepted answer is a valid message of client 0 in round 1 and
// dimension 4 that re-encodes to an answer decoding the same.
func FuzzDecodeReply(f *testing.F) {
	const d = 4
	good := &roundReply{round: 1, sent: true, msg: sparse{dim: d, index: []uint32{2}, value: []float64{1.5}}, f: 1, grad: make([]float64, d)}
	f.Add(good.appendTo(nil))
	bad := *good
	bad.msg = sparse{dim: d, index: []uint32{2, 2}, value: []float64{1, 1}}
	f.Add(bad.appendTo(nil))
	nan := *good
	nan.msg = sparse{dim: d, index: []uint32{0}, value: []float64{math.NaN()}}
	f.Add(nan.appendTo(nil))
	f.Add([]byte{0x22, 0x05, 0x08, 0x04, 0x12, 0x01, 0x09})
	f.Add([]byte{})
	mark := make([]uint64, d)
	stamp := uint64(0)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m roundReply
		if err := m.parse(b); err != nil {
			if !errors.Is(err, errWire) {
				t.Fatalf("parse error %v does not wrap errWire", err)
			}
			return
		}
		var up ef21.Upload
		stamp++
		if err := m.toUpload(&up, 1, 0, d, mark, stamp); err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("check error %v does not wrap ErrProtocol", err)
			}
			return
		}
		checkDecoded(t, &up, d)
		var again roundReply
		again.fromUpload(1, 0, &up)
		var m2 roundReply
		if err := m2.parse(again.appendTo(nil)); err != nil {
			t.Fatal(err)
		}
		var up2 ef21.Upload
		stamp++
		if err := m2.toUpload(&up2, 1, 0, d, mark, stamp); err != nil {
			t.Fatalf("re-encoded answer refused: %v", err)
		}
		if up2.Sent != up.Sent || len(up2.Msg.Index) != len(up.Msg.Index) {
			t.Fatal("re-encoded answer differs")
		}
		for k := range up.Msg.Index {
			if up2.Msg.Index[k] != up.Msg.Index[k] || math.Float64bits(up2.Msg.Value[k]) != math.Float64bits(up.Msg.Value[k]) {
				t.Fatal("re-encoded answer differs")
			}
		}
	})
}
