package core_test

import (
	"testing"

	"forecourt/internal/core"
)

// TestCheckFold: a Cond folds case on equality and lists of a text field
// only; anywhere else it is an invalid operator, named by its field.
func TestCheckFold(t *testing.T) {
	for _, tc := range []struct {
		c  core.Cond
		ok bool
	}{
		{core.Cond{Op: core.OpEq, Field: "vehicle.make", Value: "seat", Fold: true}, true},
		{core.Cond{Op: core.OpNe, Field: "vehicle.plate", Value: "1234abc", Fold: true}, true},
		{core.Cond{Op: core.OpIn, Field: "vehicle.model", Values: []any{"ibiza", "leon"}, Fold: true}, true},
		{core.Cond{Op: core.OpNin, Field: "vehicle.vin", Values: []any{"x"}, Fold: true}, true},
		{core.Cond{Op: core.OpGt, Field: "vehicle.make", Value: "seat", Fold: true}, false},
		{core.Cond{Op: core.OpContains, Field: "vehicle.make", Value: "seat", Fold: true}, false},
		{core.Cond{Op: core.OpEq, Field: "score", Value: 3, Fold: true}, false},
		{core.Cond{Op: core.OpEq, Field: "created_at", Value: "2026-01-01T00:00:00Z", Fold: true}, false},
	} {
		q := core.Query{Where: tc.c}
		err := core.LeadSchema.Check(&q)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.c, err)
		}
		if e, isCore := err.(*core.Error); err != nil && (!isCore || e.Fields[tc.c.Field] != core.MsgInvalidOperator) {
			t.Errorf("%+v: %v, want %s naming %s", tc.c, err, core.MsgInvalidOperator, tc.c.Field)
		}
	}
}
