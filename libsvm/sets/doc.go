// Package sets embeds five small LIBSVM binary classification data sets
// (gzipped) so that tests and examples run offline.
//
// The sets, their sizes and label conventions before normalisation:
//
//	name        rows   features  labels
//	a9a         32561  123       -1/+1  (UCI Adult, binarised)
//	w8a         49749  300       -1/+1  (J. Platt's Web data; some rows are empty)
//	phishing    11055  68        0/1    (every row has unit norm)
//	mushrooms   8124   112       1/2    (1 = poisonous → -1)
//	australian  690    14        -1/+1  (australian_scale, features in [-1, 1])
//
// They are copies of C.-C. Chang and C.-J. Lin's LIBSVM data collection
// (https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/binary.html),
// itself derived from the UCI repository. The files were taken from public
// repositories that commit them (a9a: dtera/fl_xgboost; w8a:
// unc-optimization/AccSPD; phishing and mushrooms: ambroiseodt/tsim;
// australian_scale: cyyhzb/cyy); line endings were normalised to LF and
// blank lines dropped, no value was changed, and the row and feature counts
// are checked by the tests.
//
// Usage:
//
//	ds, err := sets.Load("a9a")
//	if err != nil { ... }
//	fmt.Println(ds.X.Rows, ds.X.Cols) // 32561 123
package sets
