package anp

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
)

//go:embed weights
var shipped embed.FS

// Pretrained returns the shipped weights of the ANP (softc false) or
// SoftC-ANP (softc true) trained on family f (see weights/README.md for
// the scale and the command that made them). It returns an error
// wrapping [ErrSettings] if no weights are shipped for that family, and
// the errors of [Load].
func Pretrained(f Family, softc bool) (*Model, error) {
	variant := "anp"
	if softc {
		variant = "softc"
	}
	name := fmt.Sprintf("weights/%s-%s.json.gz", variant, strings.ToLower(f.String()))
	b, err := shipped.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no shipped weights %s", ErrSettings, name)
	}
	m, _, err := Load(bytes.NewReader(b))
	return m, err
}
