package core

import "strings"

// SplitName splits a client's name into given names and surnames, for
// the APIs that show them apart (LeanCore's name and lastname, Walcu's
// first_name and last_name). The core keeps one name, as Spain, Colombia
// and Ecuador write it: given names,
// then the father's and the mother's surnames. With four words or more
// the last two surnames are the lastname, each with the particles before
// it ("FREDDY ROBERTO RODRIGUEZ VARGAS" is "FREDDY ROBERTO", "RODRIGUEZ
// VARGAS", as Casabaca's nombres and apellidos sent it; "Ana María de la
// Torre Pérez" is "Ana María", "de la Torre Pérez"); with fewer, or when
// no given name would be left ("Juan de la Cruz"), the first word is the
// name and the rest the lastname ("Juan Pérez Gómez"). See
// docs/leancore.md and docs/walcu.md.
func SplitName(full string) (name, lastname string) {
	words := strings.Fields(full)
	if len(words) >= 4 {
		i := len(words)
		for range 2 {
			i--
			for i > 0 && surnameParticle(words[i-1]) {
				i--
			}
		}
		if i > 0 {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	name, lastname, _ = strings.Cut(strings.Join(words, " "), " ")
	return name, lastname
}

// surnameParticle reports whether w is a particle of a Spanish or
// Portuguese surname ("de la Torre", "del Pozo", "dos Santos").
func surnameParticle(w string) bool {
	switch strings.ToLower(w) {
	case "de", "del", "la", "las", "los", "y", "da", "das", "do", "dos", "san":
		return true
	}
	return false
}
