package store

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"forecourt/internal/core"
)

// TestOutcomeUnknown: a commit whose connection broke is told from other
// errors however it was wrapped on its way up, as core.ErrOutcomeUnknown
// (the export sweep and the job runner log it as a warning, not an error:
// cmd/forecourt's TestDatabaseOutage, core's TestRunnerClaimOutcomeUnknown).
func TestOutcomeUnknown(t *testing.T) {
	OutcomeUnknown := func(err error) bool { return errors.Is(err, core.ErrOutcomeUnknown) }
	commit := fmt.Errorf("store: commit, %w: %w", errOutcomeUnknown, io.EOF)
	if !OutcomeUnknown(commit) || !OutcomeUnknown(fmt.Errorf("store: delete expired job outputs: %w", commit)) {
		t.Error("a commit's unknown outcome is not recognised")
	}
	if OutcomeUnknown(io.EOF) || OutcomeUnknown(nil) || OutcomeUnknown(fmt.Errorf("store: commit: %w", io.EOF)) {
		t.Error("another error is taken for a commit's unknown outcome")
	}
}
