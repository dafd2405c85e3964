package causal

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
	"gonum.org/v1/gonum/graph/traverse"
)

// Graph is a named directed acyclic graph stored as a gonum
// simple.DirectedGraph. Node ids are 0..len(names)-1 in the order the names
// were given. Deleting nodes ([Graph.Without]) keeps the remaining ids, so
// sets of ids mean the same nodes across the subgraphs of one graph.
//
// A Graph is immutable after construction and safe for concurrent reads.
type Graph struct {
	g     *simple.DirectedGraph
	names []string // by id; the names of deleted nodes are kept
	ids   map[string]int64
	has   []bool    // has[id]: node present
	pa    [][]int64 // sorted parents by id
	ch    [][]int64 // sorted children by id
	order []int64   // topological order of present nodes (ties by id)
}

// Edge is a directed edge From -> To between node names.
type Edge struct{ From, To string }

// NewGraph builds a DAG over the named nodes. It returns an error wrapping
// [ErrGraph] for empty or duplicate names and self loops, [ErrUnknownNode]
// for an edge naming an unknown node and [ErrCyclic] if the edges contain a
// directed cycle. Duplicate edges are merged.
func NewGraph(names []string, edges []Edge) (*Graph, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no nodes", ErrGraph)
	}
	ids := make(map[string]int64, len(names))
	for i, s := range names {
		if s == "" {
			return nil, fmt.Errorf("%w: empty node name at %d", ErrGraph, i)
		}
		if _, dup := ids[s]; dup {
			return nil, fmt.Errorf("%w: duplicate node name %q", ErrGraph, s)
		}
		ids[s] = int64(i)
	}
	g := simple.NewDirectedGraph()
	for i := range names {
		g.AddNode(simple.Node(int64(i)))
	}
	for _, e := range edges {
		u, ok := ids[e.From]
		if !ok {
			return nil, fmt.Errorf("%w: %q in edge %s->%s", ErrUnknownNode, e.From, e.From, e.To)
		}
		v, ok := ids[e.To]
		if !ok {
			return nil, fmt.Errorf("%w: %q in edge %s->%s", ErrUnknownNode, e.To, e.From, e.To)
		}
		if u == v {
			return nil, fmt.Errorf("%w: self loop on %q", ErrGraph, e.From)
		}
		g.SetEdge(g.NewEdge(simple.Node(u), simple.Node(v)))
	}
	return fromGonum(g, append([]string(nil), names...), ids)
}

// FromDirected wraps a gonum directed graph whose node ids are
// 0..len(names)-1 (a subset of them may be absent). It returns an error
// wrapping [ErrGraph] for ids out of range and [ErrCyclic] for cycles.
func FromDirected(d graph.Directed, names []string) (*Graph, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrGraph)
	}
	ids := make(map[string]int64, len(names))
	for i, s := range names {
		if _, dup := ids[s]; dup {
			return nil, fmt.Errorf("%w: duplicate node name %q", ErrGraph, s)
		}
		ids[s] = int64(i)
	}
	g := simple.NewDirectedGraph()
	nodes := d.Nodes()
	for nodes.Next() {
		id := nodes.Node().ID()
		if id < 0 || id >= int64(len(names)) {
			return nil, fmt.Errorf("%w: node id %d outside 0..%d", ErrGraph, id, len(names)-1)
		}
		g.AddNode(simple.Node(id))
	}
	nodes = d.Nodes()
	for nodes.Next() {
		u := nodes.Node().ID()
		to := d.From(u)
		for to.Next() {
			v := to.Node().ID()
			if u == v {
				return nil, fmt.Errorf("%w: self loop on id %d", ErrGraph, u)
			}
			g.SetEdge(g.NewEdge(simple.Node(u), simple.Node(v)))
		}
	}
	return fromGonum(g, append([]string(nil), names...), ids)
}

func fromGonum(g *simple.DirectedGraph, names []string, ids map[string]int64) (*Graph, error) {
	n := len(names)
	G := &Graph{g: g, names: names, ids: ids, has: make([]bool, n), pa: make([][]int64, n), ch: make([][]int64, n)}
	nodes := g.Nodes()
	for nodes.Next() {
		G.has[nodes.Node().ID()] = true
	}
	edges := g.Edges()
	for edges.Next() {
		e := edges.Edge()
		u, v := e.From().ID(), e.To().ID()
		G.pa[v] = append(G.pa[v], u)
		G.ch[u] = append(G.ch[u], v)
	}
	for i := range G.pa {
		slices.Sort(G.pa[i])
		slices.Sort(G.ch[i])
	}
	sorted, err := topo.SortStabilized(g, func(ns []graph.Node) {
		slices.SortFunc(ns, func(a, b graph.Node) int { return int(a.ID() - b.ID()) })
	})
	if err != nil {
		var cyc []string
		if u, ok := err.(topo.Unorderable); ok && len(u) > 0 {
			for _, nd := range u[0] {
				cyc = append(cyc, names[nd.ID()])
			}
		}
		return nil, fmt.Errorf("%w: strongly connected nodes %v", ErrCyclic, cyc)
	}
	for _, nd := range sorted {
		G.order = append(G.order, nd.ID())
	}
	return G, nil
}

// Directed returns the underlying gonum graph. It must not be modified.
func (g *Graph) Directed() graph.Directed { return g.g }

// Len returns the number of ids (present or deleted).
func (g *Graph) Len() int { return len(g.names) }

// Names returns the node names indexed by id (including deleted nodes).
func (g *Graph) Names() []string { return append([]string(nil), g.names...) }

// Name returns the name of id, or "?id" if id is out of range.
func (g *Graph) Name(id int64) string {
	if id < 0 || id >= int64(len(g.names)) {
		return fmt.Sprintf("?%d", id)
	}
	return g.names[id]
}

// NameSet returns the names of ids.
func (g *Graph) NameSet(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = g.Name(id)
	}
	return out
}

// ID returns the id of a present node. It returns an error wrapping
// [ErrUnknownNode] if the name is not a node of g.
func (g *Graph) ID(name string) (int64, error) {
	id, ok := g.ids[name]
	if !ok || !g.has[id] {
		return -1, fmt.Errorf("%w: %q", ErrUnknownNode, name)
	}
	return id, nil
}

// IDs maps names to ids; errors as for [Graph.ID].
func (g *Graph) IDs(names ...string) ([]int64, error) {
	out := make([]int64, len(names))
	for i, s := range names {
		id, err := g.ID(s)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// Has reports whether id is a present node.
func (g *Graph) Has(id int64) bool { return id >= 0 && id < int64(len(g.has)) && g.has[id] }

// Nodes returns the present node ids in increasing order.
func (g *Graph) Nodes() []int64 {
	var out []int64
	for i, h := range g.has {
		if h {
			out = append(out, int64(i))
		}
	}
	return out
}

// Parents returns the sorted parents of id (nil for an absent node).
func (g *Graph) Parents(id int64) []int64 {
	if !g.Has(id) {
		return nil
	}
	return slices.Clone(g.pa[id])
}

// Children returns the sorted children of id (nil for an absent node).
func (g *Graph) Children(id int64) []int64 {
	if !g.Has(id) {
		return nil
	}
	return slices.Clone(g.ch[id])
}

// TopoOrder returns the present nodes in topological order (parents first;
// among nodes whose order is free, smaller ids first).
func (g *Graph) TopoOrder() []int64 { return slices.Clone(g.order) }

// walk returns the nodes reachable from the sources (excluding the sources
// unless reachable from another source) following edges forward
// (children) or backward (parents), using gonum's breadth-first traversal.
func (g *Graph) walk(sources []int64, forward bool) []int64 {
	var view traverse.Graph = g.g
	if !forward {
		view = reverse{g.g}
	}
	seen := make([]bool, len(g.names))
	var bf traverse.BreadthFirst
	bf.Traverse = func(e graph.Edge) bool {
		seen[e.To().ID()] = true
		return true
	}
	for _, s := range sources {
		if !g.Has(s) {
			continue
		}
		bf.Walk(view, simple.Node(s), nil)
	}
	var out []int64
	for i, s := range seen {
		if s {
			out = append(out, int64(i))
		}
	}
	return out
}

// reverse presents a directed graph with its edges reversed for traversal.
type reverse struct{ g *simple.DirectedGraph }

func (r reverse) From(id int64) graph.Nodes { return r.g.To(id) }
func (r reverse) Edge(uid, vid int64) graph.Edge {
	e := r.g.Edge(vid, uid)
	if e == nil {
		return nil
	}
	return simple.Edge{F: e.To(), T: e.From()}
}

// Descendants returns the proper descendants of the set (nodes reachable by
// a directed path of length >= 1 from some member), sorted. A member is
// included only if it is a descendant of another member.
func (g *Graph) Descendants(set ...int64) []int64 { return g.walk(set, true) }

// Ancestors returns the proper ancestors of the set, sorted (see
// [Graph.Descendants] for members).
func (g *Graph) Ancestors(set ...int64) []int64 { return g.walk(set, false) }

// AncestralSet returns the set together with all its ancestors, sorted.
func (g *Graph) AncestralSet(set ...int64) []int64 {
	return union(g.Ancestors(set...), set)
}

// Without returns the subgraph with the given nodes (and their edges)
// deleted; remaining ids are unchanged. Unknown ids are ignored.
func (g *Graph) Without(del ...int64) *Graph {
	h := simple.NewDirectedGraph()
	drop := make([]bool, len(g.names))
	for _, d := range del {
		if d >= 0 && d < int64(len(drop)) {
			drop[d] = true
		}
	}
	for _, v := range g.Nodes() {
		if !drop[v] {
			h.AddNode(simple.Node(v))
		}
	}
	for _, v := range g.Nodes() {
		for _, c := range g.ch[v] {
			if !drop[v] && !drop[c] {
				h.SetEdge(h.NewEdge(simple.Node(v), simple.Node(c)))
			}
		}
	}
	G, err := fromGonum(h, g.names, g.ids)
	if err != nil {
		panic("causal: subgraph of a DAG is cyclic") // unreachable
	}
	return G
}

// WithoutIncoming returns the graph with every edge into a member of set
// removed (the graph of the intervention do(set)).
func (g *Graph) WithoutIncoming(set ...int64) *Graph {
	cut := make([]bool, len(g.names))
	for _, s := range set {
		if s >= 0 && s < int64(len(cut)) {
			cut[s] = true
		}
	}
	h := simple.NewDirectedGraph()
	for _, v := range g.Nodes() {
		h.AddNode(simple.Node(v))
	}
	for _, v := range g.Nodes() {
		for _, c := range g.ch[v] {
			if !cut[c] {
				h.SetEdge(h.NewEdge(simple.Node(v), simple.Node(c)))
			}
		}
	}
	G, err := fromGonum(h, g.names, g.ids)
	if err != nil {
		panic("causal: subgraph of a DAG is cyclic") // unreachable
	}
	return G
}

// DSeparated reports whether every node of xs is d-separated from every node
// of ys given zs, by the ancestral moral graph criterion (Lauritzen et al.
// 1990): take the subgraph induced by An(xs ∪ ys ∪ zs) (inclusive), marry
// parents with a common child, drop directions, delete zs, and test whether
// any path joins xs and ys. Absent ids are ignored; a node in both xs and
// ys is never separated. It returns an error wrapping [ErrSettings] if xs
// or ys overlaps zs.
func (g *Graph) DSeparated(xs, ys, zs []int64) (bool, error) {
	for _, z := range zs {
		if g.Has(z) && (slices.Contains(xs, z) || slices.Contains(ys, z)) {
			return false, fmt.Errorf("%w: d-separation query: node %q is both tested and conditioned on", ErrSettings, g.Name(z))
		}
	}
	n := len(g.names)
	w := dsepWork{inA: make([]bool, n), inZ: make([]bool, n), seen: make([]bool, n)}
	return g.dsep(&w, xs, ys, zs), nil
}

type dsepWork struct {
	inA, inZ, seen, isY []bool
	stack               []int64
}

func (g *Graph) dsep(w *dsepWork, xs, ys, zs []int64) bool {
	clear(w.inA)
	clear(w.inZ)
	clear(w.seen)
	// ancestral set
	w.stack = w.stack[:0]
	push := func(v int64) {
		if g.Has(v) && !w.inA[v] {
			w.inA[v] = true
			w.stack = append(w.stack, v)
		}
	}
	for _, s := range [][]int64{xs, ys, zs} {
		for _, v := range s {
			push(v)
		}
	}
	for len(w.stack) > 0 {
		v := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		for _, p := range g.pa[v] {
			push(p)
		}
	}
	for _, z := range zs {
		if g.Has(z) {
			w.inZ[z] = true
		}
	}
	// The callers guarantee that xs and ys do not overlap zs (DSeparated
	// checks it; the class searches never condition on a tested node).
	if len(w.isY) != len(w.inA) {
		w.isY = make([]bool, len(w.inA))
	}
	isY := w.isY
	clear(isY)
	for _, y := range ys {
		if g.Has(y) {
			isY[y] = true
		}
	}
	// BFS in the moral graph of the ancestral set, avoiding Z. Neighbours of
	// v in the moral graph: parents, children (in the ancestral set), and
	// co-parents of children in the ancestral set.
	w.stack = w.stack[:0]
	for _, x := range xs {
		if g.Has(x) && !w.seen[x] {
			w.seen[x] = true
			w.stack = append(w.stack, x)
		}
	}
	visit := func(u int64) bool {
		if !w.inA[u] || w.inZ[u] || w.seen[u] {
			return false
		}
		w.seen[u] = true
		w.stack = append(w.stack, u)
		return isY[u]
	}
	for _, x := range xs {
		if g.Has(x) && isY[x] {
			return false
		}
	}
	for len(w.stack) > 0 {
		v := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		for _, p := range g.pa[v] {
			if visit(p) {
				return false
			}
		}
		for _, c := range g.ch[v] {
			if !w.inA[c] {
				continue
			}
			if visit(c) {
				return false
			}
			for _, p := range g.pa[c] {
				if visit(p) {
					return false
				}
			}
		}
	}
	return true
}

// union returns the sorted union of sorted-or-not sets.
func union(a, b []int64) []int64 {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// minus returns a \ b, keeping a's order.
func minus(a, b []int64) []int64 {
	var out []int64
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// intersect returns a ∩ b, keeping a's order.
func intersect(a, b []int64) []int64 {
	var out []int64
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}
