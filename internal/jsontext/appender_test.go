package jsontext

import (
	"errors"
	"testing"
)

// own writes itself as a JSON string of its text, or fails when bad,
// having written part of its text first.
type own struct {
	text string
	bad  bool
}

func (o own) AppendJSON(dst []byte) ([]byte, error) {
	dst = AppendString(dst, o.text)
	if o.bad {
		return append(dst, "partial"...), errors.New("bad")
	}
	return dst, nil
}

func TestAppender(t *testing.T) {
	var nilOwn *own
	for _, tt := range []struct {
		v    any
		want string
	}{
		{own{text: "<&>\u2028"}, `"<&>\u2028"`},
		{&own{text: "p"}, `"p"`},
		{nilOwn, `null`},
		{[]any{own{text: "a"}, nil, map[string]any{"k": own{text: "b"}}}, `["a",null,{"k":"b"}]`},
	} {
		got, err := Append([]byte("x:"), tt.v)
		if err != nil || string(got) != "x:"+tt.want {
			t.Errorf("Append(%#v) = %s, %v; want x:%s", tt.v, got, err, tt.want)
		}
	}
	// an error leaves nothing of the value written
	got, err := Append([]byte("x:"), []any{own{text: "a", bad: true}})
	if err == nil || string(got) != "x:[" {
		t.Errorf("Append of a failing Appender = %q, %v; want \"x:[\" and its error", got, err)
	}
}
