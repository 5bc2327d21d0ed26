package core

import "testing"

// TestSplitName: four words or more are given names and two surnames,
// each surname with its particles; fewer are the first word and the rest.
func TestSplitName(t *testing.T) {
	for _, tc := range []struct{ full, name, lastname string }{
		{"FREDDY ROBERTO RODRIGUEZ VARGAS", "FREDDY ROBERTO", "RODRIGUEZ VARGAS"},
		{"  María  José García   López ", "María José", "García López"},
		{"Ana María de la Torre Pérez", "Ana María", "de la Torre Pérez"},
		{"Luis Alberto Pérez de los Ríos", "Luis Alberto", "Pérez de los Ríos"},
		{"Juan Carlos Andrés Gómez Ruiz", "Juan Carlos Andrés", "Gómez Ruiz"},
		{"Juan de la Cruz", "Juan", "de la Cruz"},
		{"Juan Pérez Gómez", "Juan", "Pérez Gómez"},
		{"Juan Pérez", "Juan", "Pérez"},
		{"Juan", "Juan", ""},
		{"", "", ""},
	} {
		if n, l := SplitName(tc.full); n != tc.name || l != tc.lastname {
			t.Errorf("SplitName(%q) = %q, %q, want %q, %q", tc.full, n, l, tc.name, tc.lastname)
		}
	}
}
