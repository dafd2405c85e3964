package mlp

import (
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/ppo"
)

// Categorical is [ppo.CategoricalMLP].
//
// Deprecated: use ppo.CategoricalMLP.
type Categorical = ppo.CategoricalMLP

// Gaussian is [ppo.GaussianMLP].
//
// Deprecated: use ppo.GaussianMLP.
type Gaussian = ppo.GaussianMLP

// Critic is [ppo.CriticMLP].
//
// Deprecated: use ppo.CriticMLP.
type Critic = ppo.CriticMLP

// NewCategorical calls [ppo.NewCategoricalMLP].
//
// Deprecated: use ppo.NewCategoricalMLP.
func NewCategorical(obsDim, k int, hidden []int, rng *rand.Rand) (*Categorical, error) {
	return ppo.NewCategoricalMLP(obsDim, k, hidden, rng)
}

// NewGaussian calls [ppo.NewGaussianMLP].
//
// Deprecated: use ppo.NewGaussianMLP.
func NewGaussian(obsDim, actDim int, hidden []int, rng *rand.Rand) (*Gaussian, error) {
	return ppo.NewGaussianMLP(obsDim, actDim, hidden, rng)
}

// NewCritic calls [ppo.NewCriticMLP].
//
// Deprecated: use ppo.NewCriticMLP.
func NewCritic(obsDim, n int, hidden []int, rng *rand.Rand) (*Critic, error) {
	return ppo.NewCriticMLP(obsDim, n, hidden, rng)
}
