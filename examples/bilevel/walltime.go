package main

import "time"

var processStart = time.Now()

// wallTime returns the wall time since the program started.
func wallTime() time.Duration { return time.Since(processStart) }
