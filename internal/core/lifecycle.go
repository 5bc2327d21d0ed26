package core

import "time"

// settle applies the lifecycle rules to l, which was old before (nil on
// create):
//   - a vehicle marked sold ends the lead with outcome not_available;
//   - giving an outcome ends the lead;
//   - entering the end stage records when; leaving it reopens the lead and
//     clears its outcome;
//   - a task marked done or tracked records when, and loses it when unmarked;
//   - the first task a lead ever gets records its first-response time.
func settle(old, l *Lead, now time.Time) {
	wasSold := old != nil && old.Vehicle != nil && old.Vehicle.Sold && l.Vehicle != nil && old.Vehicle.ID == l.Vehicle.ID
	if l.Vehicle != nil && l.Vehicle.Sold && !wasSold {
		l.Stage, l.Outcome = StageEnd, OutcomeNotAvailable
	}
	oldStage, oldOutcome := Stage(""), OutcomeNone
	if old != nil {
		oldStage, oldOutcome = old.Stage, old.Outcome
	}
	if l.Outcome != OutcomeNone && l.Outcome != oldOutcome {
		l.Stage = StageEnd
	}
	switch {
	case l.Stage == StageEnd && (oldStage != StageEnd || l.FinishedAt == nil):
		l.FinishedAt = &now
	case l.Stage != StageEnd && oldStage == StageEnd:
		l.FinishedAt, l.Outcome, l.Reason = nil, OutcomeNone, ""
	case l.Stage != StageEnd:
		l.FinishedAt = nil
		if l.Outcome != OutcomeNone {
			l.Outcome = OutcomeNone
		}
	}
	for i := range l.Tasks {
		settleTask(&l.Tasks[i], now)
	}
	if l.FirstTaskAt == nil && len(l.Tasks) > 0 {
		l.FirstTaskAt = &now
	}
}

// settleTask applies the lifecycle rules of one task: marked done or
// tracked, it records when; unmarked, it loses it.
func settleTask(t *Task, now time.Time) {
	switch {
	case t.Done && t.DoneAt == nil:
		t.DoneAt = &now
	case !t.Done:
		t.DoneAt = nil
	}
	switch {
	case t.Tracked && t.TrackedAt == nil:
		t.TrackedAt = &now
	case !t.Tracked:
		t.TrackedAt = nil
	}
}

// settleTaskOf applies the lifecycle rules a change of one task of l
// brings to l (the lead's own row, as LeadTx.Lead gives it): the lead is
// updated now, and a lead that never had a task records its
// first-response time. A deleted task (taskKept false) leaves the
// first-response time as it was: it happened.
func settleTaskOf(l *Lead, now time.Time, taskKept bool) {
	l.UpdatedAt = now
	if taskKept && l.FirstTaskAt == nil {
		l.FirstTaskAt = &now
	}
}
