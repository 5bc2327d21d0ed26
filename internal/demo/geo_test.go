package demo

import (
	"strings"
	"testing"
)

func TestSpainProvincesCount(t *testing.T) {
	if got := len(SpainProvinces); got != 52 {
		t.Fatalf("len(SpainProvinces) = %d, want 52", got)
	}
}

func TestSpainProvincesCodes(t *testing.T) {
	seen := make(map[int]bool)
	for i, p := range SpainProvinces {
		if p.Code != i+1 {
			t.Errorf("SpainProvinces[%d].Code = %d, want %d (codes must be 1..52 in order)", i, p.Code, i+1)
		}
		if seen[p.Code] {
			t.Errorf("duplicate province code %d", p.Code)
		}
		seen[p.Code] = true
	}
}

func TestSpainProvincesLocalities(t *testing.T) {
	for _, p := range SpainProvinces {
		if strings.TrimSpace(p.Name) == "" {
			t.Errorf("province %d has an empty name", p.Code)
		}
		if len(p.Localities) == 0 {
			t.Errorf("province %d (%s) has no localities", p.Code, p.Name)
		}
		seen := make(map[string]bool)
		for _, l := range p.Localities {
			if strings.TrimSpace(l) == "" {
				t.Errorf("province %d (%s) has an empty locality name", p.Code, p.Name)
			}
			if seen[l] {
				t.Errorf("province %d (%s) lists locality %q twice", p.Code, p.Name, l)
			}
			seen[l] = true
		}
	}
}

func TestSpainProvincesCapitals(t *testing.T) {
	tests := []struct {
		code    int
		name    string
		capital string
	}{
		{1, "Araba/Álava", "Vitoria-Gasteiz"},
		{8, "Barcelona", "Barcelona"},
		{28, "Madrid", "Madrid"},
	}
	for _, tt := range tests {
		var found *Province
		for i := range SpainProvinces {
			if SpainProvinces[i].Code == tt.code {
				found = &SpainProvinces[i]
				break
			}
		}
		if found == nil {
			t.Errorf("province %d not found", tt.code)
			continue
		}
		if found.Name != tt.name {
			t.Errorf("province %d name = %q, want %q", tt.code, found.Name, tt.name)
		}
		if len(found.Localities) == 0 || found.Localities[0] != tt.capital {
			t.Errorf("province %d (%s) capital = %v, want %q", tt.code, found.Name, found.Localities, tt.capital)
		}
	}
}
