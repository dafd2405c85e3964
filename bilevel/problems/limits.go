package problems

// MaxDim is the largest size a constructor of this package accepts for one
// dimension (and, for NewSVMData, the bound on the number of stored values
// divided by 16), so that a mistyped size returns an error instead of
// trying to allocate gigabytes.
const MaxDim = 1 << 20
