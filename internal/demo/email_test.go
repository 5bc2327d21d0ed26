package demo

import (
	"regexp"
	"testing"
)

// The demo's client e-mails are made from Spanish names: every one must be
// lower-case ASCII, whatever accents and ñ the name has and wherever the
// cut falls ("Muñoz" cut at three letters, "Andrés" at five).
func TestEmailWordIsASCII(t *testing.T) {
	ascii := regexp.MustCompile(`^[a-z]+$`)
	names := append(append([]string{"Andrés Castro León", "Muñoz", "Ibáñez"}, firstNames...), surnames...)
	for _, name := range names {
		for _, n := range []int{-1, 3, 5} {
			if got := emailWord(name, n); !ascii.MatchString(got) {
				t.Errorf("emailWord(%q, %d) = %q, want lower-case ASCII letters", name, n, got)
			}
		}
	}
	if got := emailWord("Muñoz", 3); got != "mun" {
		t.Errorf(`emailWord("Muñoz", 3) = %q, want "mun"`, got)
	}
	if got := emailWord("Andrés Castro", 5); got != "andre" {
		t.Errorf(`emailWord("Andrés Castro", 5) = %q, want "andre"`, got)
	}
}
