// Package libsvm reads binary classification data in the LIBSVM sparse text
// format into a [linalg.CSR] design matrix and ±1 labels.
//
// The format, as used by C.-C. Chang and C.-J. Lin's LIBSVM data collection
// (https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/), has one example
// per line:
//
//	label index:value index:value ...
//
// with 1-based, strictly increasing indices; a missing index means 0.
// Labels {-1,+1}, {0,1} and {1,2} are normalised to -1/+1.
//
// Usage:
//
//	d, err := libsvm.ReadFile("a9a.gz", 0) // gzip detected by magic bytes
//	if err != nil { ... }
//	fmt.Println(d.Rows(), d.Features()) // 32561 123
//
// Sub-package sets embeds a9a, w8a, phishing, mushrooms and australian so
// that examples and tests run offline.
package libsvm
