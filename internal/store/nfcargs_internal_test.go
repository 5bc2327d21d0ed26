package store

import (
	"errors"
	"slices"
	"testing"
)

// TestArgsInNFC: every text argument reaches the database in NFC, a
// string or a *string, wherever it stands; what is no text is passed as it
// is; the caller's slice is not changed; a NUL is still refused.
func TestArgsInNFC(t *testing.T) {
	d, c := "Leo\u0301n", "Le\u00f3n"
	p, nilp := d, (*string)(nil)
	args := []any{int64(1), d, &p, nilp, nil, []byte(d), "plain", c}
	before := slices.Clone(args)
	got, err := checkArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	if got[1] != c || got[2] != c || got[6] != "plain" || got[7] != c || got[0] != int64(1) || got[3] != nilp || got[4] != nil {
		t.Errorf("checkArgs = %+q", got)
	}
	if args[1] != before[1] || args[2] != before[2] || p != d {
		t.Errorf("the caller's arguments changed: %+q", args)
	}
	if same, _ := checkArgs(before[6:7]); &same[0] != &before[6] {
		t.Error("arguments already in NFC were copied")
	}
	if _, err := checkArgs([]any{"o\u0301\x00"}); !errors.Is(err, errNUL) {
		t.Errorf("a NUL: %v, want errNUL", err)
	}
}
