package bearer

import (
	"net/http/httptest"
	"testing"
)

func TestSecret(t *testing.T) {
	for _, tt := range []struct {
		header, want string
		ok           bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer  abc ", "abc", true},
		{"  BEARER abc", "abc", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer   ", "", false},
		{"Basic abc", "", false},
		{"Token abc", "", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		got, ok := Secret(r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Secret(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
