package robust

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
)

// MicrogridSettings configures [Microgrid]. The zero value is the spec's
// base case with the demand-inducing effect.
type MicrogridSettings struct {
	// FeederScale multiplies the feeder limits Fmax = (1.2, 1.0, 0.8) MW.
	// Zero means 1.
	FeederScale float64
	// HDCost is the daily cost of one hydrogen dispenser. Zero means 30.
	HDCost float64
	// NoDIE builds the planning model that ignores the demand-inducing
	// effect: nominal demand α·u instead of α·G(n).
	NoDIE bool
}

// Microgrid layout: the first-stage variables, and the per-period blocks of
// the recourse.
const (
	mgNodes   = 3
	mgPeriods = 2
	mgNodeVar = 7                             // pEL, sold, w, pPV, f+, f−, shed
	mgPerVar  = mgNodes*mgNodeVar + 2         // + g+, g−
	mgNodeRow = 8                             // rows per node and period
	mgPerRow  = mgNodes*mgNodeRow + 2         // + substation balance and limit
	mgX       = mgNodes + 3*mgNodes + mgNodes // u, b, e
)

// MicrogridU returns the index of the siting binary u_i (node i = 0, 1, 2)
// in a [Microgrid] plan.
func MicrogridU(i int) int { return i }

// MicrogridB returns the index of the dispenser binary b_ik (k = 0, 1, 2;
// n_i = Σ_k b_ik, b_i0 = u_i ≥ b_i1 ≥ b_i2) in a [Microgrid] plan.
func MicrogridB(i, k int) int { return mgNodes + 3*i + k }

// MicrogridE returns the index of e_i, the electrolyser modules at node i,
// in a [Microgrid] plan.
func MicrogridE(i int) int { return 4*mgNodes + i }

// Plan decodes a microgrid plan: sites u, dispensers n, electrolyser
// modules e per node.
func Plan(x []float64) (u, n, e [3]int) {
	for i := 0; i < mgNodes; i++ {
		u[i] = int(math.Round(x[MicrogridU(i)]))
		for k := 0; k < 3; k++ {
			n[i] += int(math.Round(x[MicrogridB(i, k)]))
		}
		e[i] = int(math.Round(x[MicrogridE(i)]))
	}
	return u, n, e
}

// mgDemand is the structured DDU set of the toy: d_it = α_it·G(n_i) +
// d̂_t·u_i·ξ_it (or α_it·u_i + … without DIE), Ξ the Γ = 2 budget on six
// coordinates (i, t).
type mgDemand struct{ noDIE bool }

var (
	mgAlpha = [mgNodes][mgPeriods]float64{{50, 25}, {40, 20}, {45, 22}}
	mgDhat  = [mgPeriods]float64{15, 8}
	mgGInc  = [3]float64{1, 0.7, 0.5} // G(n) increments
)

// Set returns the budget Ξ: K = 6, Γ = 2.
func (mgDemand) Set() Budget { return Budget{K: mgNodes * mgPeriods, Gamma: 2} }

// Active marks ξ_it active for deployed nodes.
func (mgDemand) Active(x []float64) []bool {
	a := make([]bool, mgNodes*mgPeriods)
	for i := 0; i < mgNodes; i++ {
		for t := 0; t < mgPeriods; t++ {
			a[2*i+t] = x[MicrogridU(i)] > 0.5
		}
	}
	return a
}

// Affine returns d(x, ξ) = A x (a0 = 0).
func (g mgDemand) Affine(xi []float64) ([]float64, *mat.Dense) {
	A := mat.NewDense(mgNodes*mgPeriods, mgX, nil)
	for i := 0; i < mgNodes; i++ {
		for t := 0; t < mgPeriods; t++ {
			r := 2*i + t
			u := mgDhat[t] * xi[r]
			if g.noDIE {
				u += mgAlpha[i][t]
			} else {
				for k := 0; k < 3; k++ {
					A.Set(r, MicrogridB(i, k), mgAlpha[i][t]*mgGInc[k])
				}
			}
			A.Set(r, MicrogridU(i), u)
		}
	}
	return make([]float64, mgNodes*mgPeriods), A
}

// Microgrid returns the spec's toy instance of networked hydrogen-electrical
// microgrid planning with induced refuelling demand (Sun et al., IEEE
// Trans. Smart Grid 2024, reconstructed): three nodes on a star feeder,
// zones {1, 2} and {3}, day and night periods of 12 h, three scenarios
// (p = 0.3, 0.4, 0.3). First stage (all integer, 891 plans): sites u_i,
// dispensers n_i ∈ {1, 2, 3} at deployed sites (binary expansion b_ik),
// electrolyser modules e_i ∈ {0, 1, 2} of 0.5 MW, u_1 + u_2 ≥ 1, u_3 = 1;
// costs F = (120, 100, 110), HDCost per dispenser, 30 per module ($/day).
// Demand (kg per 12 h) d_it = α_it·G(n_i) + d̂_t·u_i·ξ_it with G(0..3) =
// (0, 1, 1.7, 2.2) and Σ|ξ| ≤ 2; the recourse schedules electrolysers, PV,
// feeder flows and load shedding at minimum cost (shedding 12000 $/MWh,
// unmet hydrogen 6 $/kg, sales −4 $/kg). It returns an error wrapping
// [ErrSettings] for a negative or NaN setting.
func Microgrid(s *MicrogridSettings) (*Problem, error) {
	var set MicrogridSettings
	if s != nil {
		set = *s
	}
	set.FeederScale = cmp.Or(set.FeederScale, 1)
	set.HDCost = cmp.Or(set.HDCost, 30)
	if !(set.FeederScale > 0) || !(set.HDCost >= 0) || math.IsInf(set.FeederScale, 0) || math.IsInf(set.HDCost, 0) {
		return nil, fmt.Errorf("%w: FeederScale %v, HDCost %v", ErrSettings, set.FeederScale, set.HDCost)
	}
	return &Problem{First: microgridFirst(set.HDCost), Scenarios: microgridScenarios(set)}, nil
}

func microgridFirst(hdCost float64) *milp.Problem {
	fixed := [mgNodes]float64{120, 100, 110}
	p := &milp.Problem{C: make([]float64, mgX), Lower: make([]float64, mgX), Upper: make([]float64, mgX), Integer: make([]bool, mgX)}
	for j := range p.Upper {
		p.Upper[j], p.Integer[j] = 1, true
	}
	var rows [][]float64
	add := func(sense milp.Sense, b float64, coef map[int]float64) {
		r := make([]float64, mgX)
		for j, v := range coef {
			r[j] = v
		}
		rows = append(rows, r)
		p.Sense = append(p.Sense, sense)
		p.B = append(p.B, b)
	}
	for i := 0; i < mgNodes; i++ {
		p.C[MicrogridU(i)] = fixed[i]
		p.C[MicrogridE(i)] = 30
		p.Upper[MicrogridE(i)] = 2
		for k := 0; k < 3; k++ {
			p.C[MicrogridB(i, k)] = hdCost
		}
		add(milp.EQ, 0, map[int]float64{MicrogridB(i, 0): 1, MicrogridU(i): -1})
		add(milp.LE, 0, map[int]float64{MicrogridB(i, 1): 1, MicrogridB(i, 0): -1})
		add(milp.LE, 0, map[int]float64{MicrogridB(i, 2): 1, MicrogridB(i, 1): -1})
		add(milp.LE, 0, map[int]float64{MicrogridE(i): 1, MicrogridU(i): -2})
	}
	add(milp.GE, 1, map[int]float64{MicrogridU(0): 1, MicrogridU(1): 1}) // zone {1, 2}
	p.Lower[MicrogridU(2)] = 1                                           // zone {3}
	p.A = mat.NewDense(len(rows), mgX, nil)
	for i, r := range rows {
		p.A.SetRow(i, r)
	}
	return p
}

func microgridScenarios(set MicrogridSettings) []Scenario {
	var (
		prob  = [3]float64{0.3, 0.4, 0.3}
		aDay  = [3]float64{0.7, 0.3, 0.9} // PV availability by day, per scenario
		mLoad = [3]float64{1.0, 1.1, 0.9}
		price = [3][mgPeriods]float64{{70, 40}, {80, 45}, {60, 35}}
		pv    = [mgNodes]float64{0.4, 0.3, 0.4}
		fmax  = [mgNodes]float64{1.2, 1.0, 0.8}
		load  = [mgPeriods][mgNodes]float64{{0.5, 0.4, 0.3}, {0.3, 0.25, 0.2}}
	)
	const (
		hours     = 12
		kgPerMWh  = 20
		kgPerHD   = 6 // kg/h per dispenser
		elModule  = 0.5
		subLimit  = 3
		shedCost  = 1000 * hours
		soldPrice = 4
		unmetCost = 6
	)
	nRows, nY, nD := mgPeriods*mgPerRow, mgPeriods*mgPerVar, mgNodes*mgPeriods
	var out []Scenario
	for s := 0; s < 3; s++ {
		sc := Scenario{P: prob[s], Q: make([]float64, nY), W: mat.NewDense(nRows, nY, nil), Sense: make([]milp.Sense, nRows),
			R: make([]float64, nRows), T: mat.NewDense(nRows, mgX, nil), M: mat.NewDense(nRows, nD, nil),
			U: mgDemand{noDIE: set.NoDIE}, PiLower: make([]float64, nRows), PiUpper: make([]float64, nRows)}
		for i := range sc.Sense {
			sc.Sense[i] = milp.GE
		}
		for t := 0; t < mgPeriods; t++ {
			v0, r0 := t*mgPerVar, t*mgPerRow
			gp, gm := v0+mgNodes*mgNodeVar, v0+mgNodes*mgNodeVar+1
			avail := 0.0
			if t == 0 {
				avail = aDay[s]
			}
			sc.Q[gp] = hours * price[s][t]
			for i := 0; i < mgNodes; i++ {
				v := v0 + i*mgNodeVar
				pEL, sold, w, pPV, fp, fm, shed := v, v+1, v+2, v+3, v+4, v+5, v+6
				sc.Q[sold], sc.Q[w], sc.Q[shed] = -soldPrice, unmetCost, shedCost
				r := r0 + i*mgNodeRow
				// pEL ≤ 0.5 e_i
				sc.W.Set(r, pEL, -1)
				sc.T.Set(r, MicrogridE(i), elModule)
				// sold ≤ 20·12·pEL
				sc.W.Set(r+1, pEL, kgPerMWh*hours)
				sc.W.Set(r+1, sold, -1)
				// sold ≤ 6·12·n_i
				sc.W.Set(r+2, sold, -1)
				for k := 0; k < 3; k++ {
					sc.T.Set(r+2, MicrogridB(i, k), kgPerHD*hours)
				}
				// sold + w = d_it
				sc.W.Set(r+3, sold, 1)
				sc.W.Set(r+3, w, 1)
				sc.M.Set(r+3, 2*i+t, -1)
				sc.Sense[r+3] = milp.EQ
				sc.PiLower[r+3], sc.PiUpper[r+3] = -soldPrice, unmetCost
				// pPV ≤ a·PV_i·u_i
				sc.W.Set(r+4, pPV, -1)
				sc.T.Set(r+4, MicrogridU(i), avail*pv[i])
				// f± ≤ Fmax_i
				sc.W.Set(r+5, fp, -1)
				sc.R[r+5] = -fmax[i] * set.FeederScale
				sc.W.Set(r+6, fm, -1)
				sc.R[r+6] = -fmax[i] * set.FeederScale
				// f+ − f− + pPV + shed − pEL = L_it·m_s
				for _, c := range [][2]float64{{float64(fp), 1}, {float64(fm), -1}, {float64(pPV), 1}, {float64(shed), 1}, {float64(pEL), -1}} {
					sc.W.Set(r+7, int(c[0]), c[1])
				}
				sc.R[r+7] = load[t][i] * mLoad[s]
				sc.Sense[r+7] = milp.EQ
				// substation balance: g+ − g− − Σ(f+ − f−) = 0
				sc.W.Set(r0+mgNodes*mgNodeRow, fp, -1)
				sc.W.Set(r0+mgNodes*mgNodeRow, fm, 1)
			}
			rb := r0 + mgNodes*mgNodeRow
			sc.W.Set(rb, gp, 1)
			sc.W.Set(rb, gm, -1)
			sc.Sense[rb] = milp.EQ
			sc.W.Set(rb+1, gp, -1)
			sc.R[rb+1] = -subLimit
		}
		out = append(out, sc)
	}
	return out
}
