package ef21

import "math"

// The step-size functions below are formulas: for arguments outside their
// domain (α outside (0, 1], an empty li, p outside (0, 1]) they return NaN
// or a non-positive value, which Run never produces because it validates
// its settings first.

// Theta returns θ = 1 − √(1 − α), the contraction of one EF21 step for a
// compressor with constant α ∈ (0, 1] (NaN for α > 1).
func Theta(alpha float64) float64 { return 1 - math.Sqrt(1-alpha) }

// Beta returns β = (1 − α)/(1 − √(1 − α)), and 0 when α = 1.
func Beta(alpha float64) float64 {
	if alpha >= 1 {
		return 0
	}
	return (1 - alpha) / (1 - math.Sqrt(1-alpha))
}

// MeanAM returns L_AM = (1/n) Σ Lᵢ.
func MeanAM(l []float64) float64 {
	s := 0.0
	for _, v := range l {
		s += v
	}
	return s / float64(len(l))
}

// MeanQM returns L_QM = √((1/n) Σ Lᵢ²).
func MeanQM(l []float64) float64 {
	s := 0.0
	for _, v := range l {
		s += v * v
	}
	return math.Sqrt(s / float64(len(l)))
}

// StepsizeQM returns γ_QM = 1/(L + L_QM·√(β/θ)), the step size of the
// original EF21 theory, for global smoothness L, local constants li and
// compressor constant alpha.
func StepsizeQM(l float64, li []float64, alpha float64) float64 {
	return 1 / (l + MeanQM(li)*math.Sqrt(Beta(alpha)/Theta(alpha)))
}

// StepsizeAM returns γ_AM = 1/(L + L_AM·√(β/θ)), valid for EF21-W and, by the
// improved analysis, for EF21.
func StepsizeAM(l float64, li []float64, alpha float64) float64 {
	return 1 / (l + MeanAM(li)*math.Sqrt(Beta(alpha)/Theta(alpha)))
}

// StepsizePP returns the partial-participation step size
// γ_p = 1/(L + L_AM·√(β_p/θ_p)) with θ_p = pθ/2 and
// β_p = pβ + (1 − p) + 2(1 − p)²/(pθ), for participation probability
// p ∈ (0, 1]. (Derived in the spec with Young's inequality, ρ = pθ/(2(1−p)).)
func StepsizePP(l float64, li []float64, alpha, p float64) float64 {
	th, be := Theta(alpha), Beta(alpha)
	thp := p * th / 2
	bep := p*be + (1 - p) + 2*(1-p)*(1-p)/(p*th)
	return 1 / (l + MeanAM(li)*math.Sqrt(bep/thp))
}

// StepsizeRare returns the rare-features step size
// γ = 1/(L + √W_c·L_AM·√(β/θ)), where wc = W_c ∈ (0, 1] is the largest
// total weight of the clients sharing one coordinate ([RareOverlap]).
// (Derived in the spec; W_c ≈ c/n when at most c clients share a feature,
// and W_c = 1 gives γ_AM back.)
func StepsizeRare(l float64, li []float64, alpha, wc float64) float64 {
	return 1 / (l + math.Sqrt(wc)*MeanAM(li)*math.Sqrt(Beta(alpha)/Theta(alpha)))
}

// RareOverlap returns W_c = maxⱼ Σ_{i: j ∈ Zᵢ} wᵢ for weights w and client
// supports z (z[i] nil means all d coordinates). Indices outside [0, d) are
// ignored. It returns NaN if len(w) ≠ len(z) or d < 0.
func RareOverlap(w []float64, z [][]int, d int) float64 {
	if len(w) != len(z) || d < 0 {
		return math.NaN()
	}
	tot := make([]float64, d)
	all := 0.0
	for i, zi := range z {
		if zi == nil {
			all += w[i]
			continue
		}
		for _, j := range zi {
			if j >= 0 && j < d {
				tot[j] += w[i]
			}
		}
	}
	m := 0.0
	for _, v := range tot {
		m = max(m, v)
	}
	return m + all
}
