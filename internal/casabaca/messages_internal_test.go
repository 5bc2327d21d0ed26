package casabaca

import (
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestLeadTotalsWorded: the core's bounds of what one lead holds, which a
// ticket's notes and meetings can reach, are said in Spanish with their
// numbers, not as the generic "No contiene un valor válido".
func TestLeadTotalsWorded(t *testing.T) {
	generic := coreMessage("no such message")
	for msg, n := range map[string]int{core.MsgLeadNotes: core.MaxLeadNotes, core.MsgLeadNoteVersions: core.MaxLeadNoteVersions,
		core.MsgLeadText: core.MaxLeadText, core.MsgLeadAppointments: core.MaxLeadAppointments} {
		got := coreMessage(msg)
		if got == generic || !strings.Contains(got, strconv.Itoa(n)) {
			t.Errorf("coreMessage(%q) = %q, want a message naming %d", msg, got, n)
		}
	}
}
