package causal

import (
	"fmt"
	"slices"
)

// Components are the parts of the augmented DAG over {Y, X, E} that the
// causal minimax method uses (the official graphparser.py). All id lists
// are sorted by id; Order is a topological order of the whole graph.
//
//	XM   mutable covariates, the children of E
//	XS   stable covariates, X \ XM
//	ChY  children of Y
//	XM0  XM ∩ Ch(Y)
//	K    De(XM0) \ XM0
//	W    XM0 ∪ (De(XM0) \ Ch(Y))
//	DeW  De(W) \ W in G_do(W) (edges into W removed), PaDeW their parents there
//	     (E excluded: equations are fitted on data pooled over environments)
//	DeM  De(XM) \ XM in G_do(XM), PaDeM their parents there
//	PaM  parents of each mutable variable other than E
//	IsFullSet  K ∩ Ch(Y) = ∅: the whole stable set XS is optimal
type Components struct {
	Y, E                             int64
	XM, XS, ChY, XM0, K, W, DeW, DeM []int64
	PaM, PaDeW, PaDeM                map[int64][]int64
	IsFullSet                        bool
	Order                            []int64
}

// Parse computes the [Components] of the augmented DAG g with outcome y and
// environment node e. It returns an error wrapping [ErrUnknownNode] if y or
// e is not a node, and [ErrGraph] if the method's assumptions fail: y == e,
// E has parents, E has no children, Y is adjacent to E, or Y is a
// descendant of a mutable variable.
func Parse(g *Graph, y, e int64) (Components, error) {
	if g == nil {
		return Components{}, fmt.Errorf("%w: nil graph", ErrGraph)
	}
	if !g.Has(y) {
		return Components{}, fmt.Errorf("%w: outcome id %d", ErrUnknownNode, y)
	}
	if !g.Has(e) {
		return Components{}, fmt.Errorf("%w: environment id %d", ErrUnknownNode, e)
	}
	if y == e {
		return Components{}, fmt.Errorf("%w: outcome and environment are the same node", ErrGraph)
	}
	if pa := g.Parents(e); len(pa) > 0 {
		return Components{}, fmt.Errorf("%w: environment %q has parents %v", ErrGraph, g.Name(e), g.NameSet(pa))
	}
	xm := g.Children(e)
	if len(xm) == 0 {
		return Components{}, fmt.Errorf("%w: environment %q has no children (nothing is mutable)", ErrGraph, g.Name(e))
	}
	if slices.Contains(xm, y) {
		return Components{}, fmt.Errorf("%w: outcome %q is a child of the environment", ErrGraph, g.Name(y))
	}
	if anc := g.Ancestors(y); len(intersect(anc, xm)) > 0 {
		return Components{}, fmt.Errorf("%w: outcome %q is a descendant of mutable %v", ErrGraph, g.Name(y), g.NameSet(intersect(anc, xm)))
	}
	c := Components{Y: y, E: e, XM: xm, Order: g.TopoOrder()}
	for _, v := range g.Nodes() {
		if v != y && v != e && !slices.Contains(xm, v) {
			c.XS = append(c.XS, v)
		}
	}
	c.PaM = make(map[int64][]int64, len(xm))
	for _, m := range xm {
		c.PaM[m] = minus(g.Parents(m), []int64{e})
	}
	c.ChY = g.Children(y)
	c.XM0 = intersect(xm, c.ChY)
	deXM0 := g.Descendants(c.XM0...)
	c.K = minus(deXM0, c.XM0)
	c.IsFullSet = len(intersect(c.K, c.ChY)) == 0
	c.W = union(c.XM0, minus(deXM0, c.ChY))
	gw := g.WithoutIncoming(c.W...)
	c.DeW = minus(gw.Descendants(c.W...), c.W)
	c.PaDeW = make(map[int64][]int64, len(c.DeW))
	for _, v := range c.DeW {
		c.PaDeW[v] = minus(gw.Parents(v), []int64{e})
	}
	gm := g.WithoutIncoming(xm...)
	c.DeM = minus(gm.Descendants(xm...), xm)
	c.PaDeM = make(map[int64][]int64, len(c.DeM))
	for _, v := range c.DeM {
		c.PaDeM[v] = minus(gm.Parents(v), []int64{e})
	}
	return c, nil
}

// StableGraph returns G_S: g with the mutable variables and E deleted (the
// graph the equivalence-class search runs on, as in the official code).
// It returns nil for a nil g.
func (c Components) StableGraph(g *Graph) *Graph {
	if g == nil {
		return nil
	}
	return g.Without(append(slices.Clone(c.XM), c.E)...)
}
