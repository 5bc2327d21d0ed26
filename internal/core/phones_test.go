package core

import (
	"strings"
	"testing"
)

// FuzzNormalisePhone: whatever a client writes as a phone, the normaliser
// answers "" or an E.164 number ("+" and digits), which it reads back as
// itself with any region or none, and never panics.
func FuzzNormalisePhone(f *testing.F) {
	for _, s := range []string{"573136434030", "+57 313 643 4030", "3136434030", "666 777 888", "0034 666777888",
		"0987519882", "+593 98 751 9882", "", "+", "00", "not a phone", "6\x00", "+34 612 34 56 78 ext. 9", "１２３"} {
		for _, r := range []string{"CO", "ES", "EC", ""} {
			f.Add(s, r)
		}
	}
	f.Fuzz(func(t *testing.T, phone, region string) {
		if len(region) > 3 {
			region = region[:3]
		}
		got := NormalisePhone(phone, region)
		if parsed := parsePhone(phone, region); got != parsed {
			t.Fatalf("NormalisePhone(%q, %q) = %q from the memo, %q parsed", phone, region, got, parsed)
		}
		if fast, ok := fastPhone(phone, region); ok {
			if lib := libParsePhone(phone, region); fast != lib {
				t.Fatalf("fastPhone(%q, %q) = %q, Parse's answer %q", phone, region, fast, lib)
			}
		}
		if got == "" {
			return
		}
		if !strings.HasPrefix(got, "+") || strings.Trim(got[1:], "0123456789") != "" || len(got) > 16 {
			t.Fatalf("NormalisePhone(%q, %q) = %q: not E.164", phone, region, got)
		}
		for _, r := range []string{region, "", "ES", "CO"} {
			if again := NormalisePhone(got, r); again != got {
				t.Fatalf("NormalisePhone(%q, %q) = %q, but %q read with %q is %q", phone, region, got, got, r, again)
			}
		}
	})
}
