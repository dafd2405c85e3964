package main

import "image/color"

// plotColor returns a distinct colour per found set.
func plotColor(k int) color.Color {
	cs := []color.Color{color.RGBA{200, 30, 30, 255}, color.RGBA{30, 120, 200, 255}, color.RGBA{30, 160, 60, 255}}
	return cs[k%len(cs)]
}
