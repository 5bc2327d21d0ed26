package walcu

import (
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestLeadTotalsWorded: the core's bounds of what one lead holds are said
// with their numbers, not passed on as the core's codes.
func TestLeadTotalsWorded(t *testing.T) {
	for msg, n := range map[string]int{core.MsgLeadNotes: core.MaxLeadNotes, core.MsgLeadNoteVersions: core.MaxLeadNoteVersions,
		core.MsgLeadText: core.MaxLeadText, core.MsgLeadAppointments: core.MaxLeadAppointments} {
		got, ok := coreMessages[msg]
		if !ok || !strings.Contains(got, strconv.Itoa(n)) {
			t.Errorf("coreMessages[%q] = %q, want a message naming %d", msg, got, n)
		}
	}
}
