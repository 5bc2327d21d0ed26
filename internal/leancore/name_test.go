package leancore

import (
	"encoding/json"
	"testing"
)

// TestScoreDecimal: the score is written as the document writes it, a
// decimal (0.0), whatever its value; quota stays the document's 0.
func TestScoreDecimal(t *testing.T) {
	for _, tc := range []struct {
		score Score
		want  string
	}{{0, "0.0"}, {3, "3.0"}, {4, "4.0"}, {2.5, "2.5"}, {-1, "-1.0"}} {
		b, err := json.Marshal(Lead{Score: tc.score})
		var m map[string]json.RawMessage
		if err != nil || json.Unmarshal(b, &m) != nil || string(m["score"]) != tc.want || string(m["quota"]) != "0" {
			t.Errorf("score %v: %s %v, want %s", float64(tc.score), m["score"], err, tc.want)
		}
	}
}
