package store

import (
	"fmt"
	"io"
	"testing"
)

// TestOutcomeUnknown: a commit whose connection broke is told from other
// errors however it was wrapped on its way up (the export sweep logs it
// as a warning, not an error: cmd/forecourt's TestDatabaseOutage).
func TestOutcomeUnknown(t *testing.T) {
	commit := fmt.Errorf("store: commit, %w: %w", errOutcomeUnknown, io.EOF)
	if !OutcomeUnknown(commit) || !OutcomeUnknown(fmt.Errorf("store: delete expired job outputs: %w", commit)) {
		t.Error("a commit's unknown outcome is not recognised")
	}
	if OutcomeUnknown(io.EOF) || OutcomeUnknown(nil) || OutcomeUnknown(fmt.Errorf("store: commit: %w", io.EOF)) {
		t.Error("another error is taken for a commit's unknown outcome")
	}
}
