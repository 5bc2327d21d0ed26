package walcu_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestPlateVINInHistory: a change of a salelead's car's licence plate or
// VIN made here (the core vehicle's) is in the lead's history, and SML's
// history shows it under the core's field names, which SML has no words
// of its own for (docs/sml.md, "history"): "vehicle.plate 1234ABC →
// 5678XYZ".
func TestPlateVINInHistory(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		e := newEnvOn(t, s)
		c := newSMLLead(t, e)
		r := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{
			"make": "SEAT", "model": "Ibiza", "license_plate": "1234ABC"}}}})
		mustStatus(t, "post", r, 200)
		id := r.obj()["_id"].(string)
		r = e.es(http.MethodPatch, "saleleads/"+id, []any{
			map[string]any{"op": "replace", "path": "/car_list/0/car/license_plate", "value": "5678XYZ"},
			map[string]any{"op": "add", "path": "/car_list/0/car/vin", "value": "VSSZZZ6JZ00000001"},
		})
		mustStatus(t, "patch", r, 200)
		ctx, _ := e.admin(t)
		l, err := e.coreLead(t, ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Results []struct {
				HistoryChangeReason string `json:"history_change_reason"`
				HistoryType         string `json:"history_type"`
			}
		}
		smlDo(t, c.h, c.token, http.MethodGet, "/api/lead_history/"+strconv.FormatInt(l.ID, 10)+"/get_history/", nil, http.StatusOK, &page)
		if len(page.Results) < 2 {
			t.Fatalf("history: %+v", page)
		}
		got := page.Results[0].HistoryChangeReason
		if page.Results[0].HistoryType != "~" || !strings.Contains(got, "vehicle.plate 1234ABC → 5678XYZ") ||
			!strings.Contains(got, "vehicle.vin (vacío) → VSSZZZ6JZ00000001") {
			t.Errorf("SML's latest history entry: %q", got)
		}
		if created := page.Results[len(page.Results)-1].HistoryChangeReason; !strings.Contains(created, "vehicle.plate 1234ABC") {
			t.Errorf("SML's creation entry: %q", created)
		}
	})
}
