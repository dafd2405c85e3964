package bilevel_test

// must returns v and panics on a constructor error (test fixtures only).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
