package nn

import "github.com/optlearn/optlearn/nn/optim"

// Adam is the deterministic Adam optimizer on plain parameter slices; it is
// [optim.Adam] (which imports only the standard library, for packages that
// must not depend on gorgonia). The zero value is usable; see optim.Adam for
// the defaults (LR 0.001, Beta1 0.9, Beta2 0.999, Eps 1e-8) and Ascent.
type Adam = optim.Adam
