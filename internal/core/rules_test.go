package core

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSpanBetween(t *testing.T) {
	base := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b time.Time
		want Span
	}{
		{"same instant", base, base, Span{}},
		{"b before a", base, base.Add(-time.Hour), Span{}},
		{"seconds", base, base.Add(42 * time.Second), Span{Seconds: 42}},
		{"sub-second is not a second", base, base.Add(999 * time.Millisecond), Span{}},
		{"hours minutes", base, base.Add(3*time.Hour + 5*time.Minute + 7*time.Second), Span{Hours: 3, Minutes: 5, Seconds: 7}},
		{"across midnight", time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 15, 0, 0, time.UTC), Span{Minutes: 45}},
		{"month borrow", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Span{Months: 1, Days: 1}},
		{"years", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 13, 1, 1, 0, time.UTC), Span{Years: 2, Days: 1, Hours: 1, Minutes: 1, Seconds: 1}},
		{"fraction borrow", time.Date(2026, 1, 1, 0, 0, 0, 500_000_000, time.UTC), time.Date(2026, 1, 1, 0, 1, 0, 400_000_000, time.UTC), Span{Seconds: 59}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SpanBetween(tt.a, tt.b); got != tt.want {
				t.Errorf("SpanBetween(%v, %v) = %+v, want %+v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestSettle(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	tests := []struct {
		name         string
		old          *Lead
		l            Lead
		wantStage    Stage
		wantOutcome  Outcome
		wantFinished bool
		wantFirst    bool
	}{
		{"new lead stays new", nil, Lead{Stage: StageNew, Vehicle: &Vehicle{}}, StageNew, OutcomeNone, false, false},
		{"sold on create ends not_available", nil, Lead{Stage: StageNew, Vehicle: &Vehicle{Sold: true}}, StageEnd, OutcomeNotAvailable, true, false},
		{"sold later ends", &Lead{Stage: StageTracing, Vehicle: &Vehicle{ID: 1}}, Lead{Stage: StageTracing, Vehicle: &Vehicle{ID: 1, Sold: true}}, StageEnd, OutcomeNotAvailable, true, false},
		{"already sold does not re-end a reopened lead", &Lead{Stage: StageEnd, Vehicle: &Vehicle{ID: 1, Sold: true}}, Lead{Stage: StageTracing, Vehicle: &Vehicle{ID: 1, Sold: true}}, StageTracing, OutcomeNone, false, false},
		{"outcome ends", &Lead{Stage: StageTracing}, Lead{Stage: StageTracing, Outcome: OutcomeSale}, StageEnd, OutcomeSale, true, false},
		{"end records finish", &Lead{Stage: StageTracing}, Lead{Stage: StageEnd}, StageEnd, OutcomeNone, true, false},
		{"reopen clears outcome", &Lead{Stage: StageEnd, Outcome: OutcomeNoSale, FinishedAt: &earlier}, Lead{Stage: StageNew, Outcome: OutcomeNoSale, FinishedAt: &earlier}, StageNew, OutcomeNone, false, false},
		{"first task sets first-response", nil, Lead{Stage: StageNew, Tasks: []Task{{Type: TaskOther}}}, StageNew, OutcomeNone, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.l
			settle(tt.old, &l, now)
			if l.Stage != tt.wantStage || l.Outcome != tt.wantOutcome {
				t.Errorf("stage, outcome = %s, %q; want %s, %q", l.Stage, l.Outcome, tt.wantStage, tt.wantOutcome)
			}
			if got := l.FinishedAt != nil; got != tt.wantFinished {
				t.Errorf("finished = %v, want %v", got, tt.wantFinished)
			}
			if got := l.FirstTaskAt != nil; got != tt.wantFirst {
				t.Errorf("first task at set = %v, want %v", got, tt.wantFirst)
			}
		})
	}
}

func TestSettleKeepsFinishTime(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	old := &Lead{Stage: StageEnd, FinishedAt: &earlier}
	l := Lead{Stage: StageEnd, FinishedAt: &earlier, Score: 3}
	settle(old, &l, now)
	if l.FinishedAt == nil || !l.FinishedAt.Equal(earlier) {
		t.Errorf("FinishedAt = %v, want %v: an edit of an ended lead must not move its end", l.FinishedAt, earlier)
	}
}

func TestSettleTaskDates(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	l := Lead{Stage: StageNew, Tasks: []Task{{Done: true}, {Tracked: true}, {}}}
	settle(nil, &l, now)
	if l.Tasks[0].DoneAt == nil || l.Tasks[1].TrackedAt == nil || l.Tasks[2].DoneAt != nil || l.Tasks[2].TrackedAt != nil {
		t.Errorf("task dates not derived from the checks: %+v", l.Tasks)
	}
	l.Tasks[0].Done = false
	settle(nil, &l, now)
	if l.Tasks[0].DoneAt != nil {
		t.Errorf("unchecking done kept its date")
	}
}

func TestValidateLead(t *testing.T) {
	year := 1800
	long := strings.Repeat("x", MaxShortText+1)
	tests := []struct {
		name string
		l    Lead
		want []string // paths expected in the errors
	}{
		{"valid minimal", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "SEAT León"}}, nil},
		{"missing source and vehicle", Lead{Stage: StageNew}, []string{"source", "vehicle"}},
		{"blank brand model", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "  "}}, []string{"vehicle.brand_model"}},
		{"client without name", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Client: &Client{Phone: "600"}}, []string{"client.name"}},
		{"bad email", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Client: &Client{Name: "a", Email: "not-an-email"}}, []string{"client.email"}},
		{"bad enums", Lead{SourceID: 1, Stage: "closed", Outcome: "won", Score: 5, Vehicle: &Vehicle{BrandModel: "x"}}, []string{"stage", "outcome", "score"}},
		{"appraisal task without appraisal", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Tasks: []Task{{Type: TaskAppraisal}}}, []string{"tasks.0.appraisal"}},
		{"appraisal without brand model", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Tasks: []Task{{Type: TaskAppraisal, Appraisal: &Appraisal{Origin: "mars"}}}}, []string{"tasks.0.appraisal.brand_model", "tasks.0.appraisal.origin"}},
		{"bad task enums", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Tasks: []Task{{}, {Type: "call", Media: "Fax"}}}, []string{"tasks.1.type", "tasks.1.media"}},
		{"empty note", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Notes: []Note{{Content: "ok"}, {Content: " "}}, Tags: []Note{{}}}, []string{"notes.1.content", "tags.0.content"}},
		{"accented text counts characters", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: strings.Repeat("ñ", MaxShortText)}}, nil},
		{"accented text over the limit", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: strings.Repeat("ñ", MaxShortText+1)}}, []string{"vehicle.brand_model"}},
		{"NUL in text", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "a\x00b"}, Notes: []Note{{Content: "x\x00"}}}, []string{"vehicle.brand_model", "notes.0.content"}},
		{"too long and bad year", Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: long, Year: &year}}, []string{"vehicle.brand_model", "vehicle.year"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.l
			fe := validateLead(&l)
			if len(fe) != len(tt.want) {
				t.Errorf("got errors %v, want paths %v", fe, tt.want)
			}
			for _, p := range tt.want {
				if _, ok := fe[p]; !ok {
					t.Errorf("missing error at %q; got %v", p, fe)
				}
			}
		})
	}
}

func TestValidateTaskDefaults(t *testing.T) {
	l := Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x"}, Tasks: []Task{{}}}
	if fe := validateLead(&l); len(fe) != 0 {
		t.Fatalf("unexpected errors %v", fe)
	}
	if l.Tasks[0].Type != TaskOther || l.Tasks[0].Media != MediaPhone {
		t.Errorf("defaults = %s/%s, want other/phone", l.Tasks[0].Type, l.Tasks[0].Media)
	}
}

func TestApplyLeadPatch(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	p := Principal{UserID: 7, DealerIDs: []int64{1}}
	base := func() Lead {
		return Lead{ID: 1, DealerID: 1, SourceID: 1, Stage: StageNew,
			Vehicle: &Vehicle{ID: 10, BrandModel: "old", Price: "1000"},
			Client:  &Client{ID: 20, Name: "Ana", Phone: "600"},
			Tasks:   []Task{{ID: 30, Type: TaskDate, Notes: []Note{{ID: 31, Content: "n"}}}, {ID: 32, Type: TaskOther}},
			Notes:   []Note{{ID: 40, Content: "a"}, {ID: 41, Content: "b"}},
			Tags:    []Note{{ID: 50, Content: "t"}},
		}
	}
	id := func(v int64) *int64 { return &v }

	t.Run("update vehicle by id keeps other fields", func(t *testing.T) {
		l := base()
		err := applyLeadPatch(&l, LeadPatch{Vehicle: &VehiclePatch{ID: id(10), BrandModel: Value("new")}}, now, p)
		if err != nil || l.Vehicle.ID != 10 || l.Vehicle.BrandModel != "new" || l.Vehicle.Price != "1000" {
			t.Errorf("err=%v vehicle=%+v", err, l.Vehicle)
		}
	})
	t.Run("vehicle without id replaces", func(t *testing.T) {
		l := base()
		err := applyLeadPatch(&l, LeadPatch{Vehicle: &VehiclePatch{BrandModel: Value("new")}}, now, p)
		if err != nil || l.Vehicle.ID != 0 || l.Vehicle.BrandModel != "new" || l.Vehicle.Price != "" {
			t.Errorf("err=%v vehicle=%+v", err, l.Vehicle)
		}
	})
	t.Run("foreign nested ids are errors", func(t *testing.T) {
		l := base()
		err := applyLeadPatch(&l, LeadPatch{
			Vehicle: &VehiclePatch{ID: id(99)}, Client: &ClientPatch{ID: id(98)},
			Tasks: &[]TaskPatch{{ID: id(97)}}, Notes: &[]NotePatch{{ID: id(96)}},
		}, now, p)
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("err = %v, want *Error", err)
		}
		for _, path := range []string{"vehicle.id", "client.id", "tasks.0.id", "notes.0.id"} {
			if _, ok := e.Fields[path]; !ok {
				t.Errorf("missing %s in %v", path, e.Fields)
			}
		}
	})
	t.Run("lists replace, keeping named elements", func(t *testing.T) {
		l := base()
		err := applyLeadPatch(&l, LeadPatch{
			Notes: &[]NotePatch{{ID: id(41), Content: Value("b2")}, {Content: Value("c")}},
			Tasks: &[]TaskPatch{{ID: id(32), Done: Value(true)}},
			Tags:  &[]NotePatch{},
		}, now, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Notes) != 2 || l.Notes[0].ID != 41 || l.Notes[0].Content != "b2" || l.Notes[1].ID != 0 || l.Notes[1].Content != "c" {
			t.Errorf("notes = %+v", l.Notes)
		}
		if len(l.Tasks) != 1 || l.Tasks[0].ID != 32 || !l.Tasks[0].Done {
			t.Errorf("tasks = %+v", l.Tasks)
		}
		if len(l.Tags) != 0 {
			t.Errorf("tags = %+v", l.Tags)
		}
		if l.Notes[1].AuthorID == nil || *l.Notes[1].AuthorID != 7 {
			t.Errorf("new note author = %v, want 7", l.Notes[1].AuthorID)
		}
	})
	t.Run("task appraisal update by id", func(t *testing.T) {
		l := base()
		l.Tasks[0].Appraisal = &Appraisal{ID: 60, BrandModel: "a", Km: "1"}
		err := applyLeadPatch(&l, LeadPatch{Tasks: &[]TaskPatch{{ID: id(30), Appraisal: &AppraisalPatch{ID: id(60), BrandModel: Value("b")}}}}, now, p)
		if err != nil || l.Tasks[0].Appraisal.BrandModel != "b" || l.Tasks[0].Appraisal.Km != "1" || len(l.Tasks[0].Notes) != 1 {
			t.Errorf("err=%v task=%+v", err, l.Tasks[0])
		}
	})
	t.Run("clear client", func(t *testing.T) {
		l := base()
		if err := applyLeadPatch(&l, LeadPatch{ClearClient: true}, now, p); err != nil || l.Client != nil {
			t.Errorf("err=%v client=%+v", err, l.Client)
		}
	})
}

func TestDiffLead(t *testing.T) {
	old := &Lead{Stage: StageNew, Score: 1, Vehicle: &Vehicle{BrandModel: "a"}}
	l := &Lead{Stage: StageTracing, Score: 1, Vehicle: &Vehicle{BrandModel: "b"}}
	got := diffLead(old, l)
	want := map[string][2]string{"stage": {"new", "tracing"}, "vehicle.brand_model": {"a", "b"}}
	if len(got) != len(want) {
		t.Fatalf("diff = %+v, want %v", got, want)
	}
	for _, c := range got {
		if w, ok := want[c.Field]; !ok || w[0] != c.Old || w[1] != c.New {
			t.Errorf("change %+v unexpected", c)
		}
	}
}

// TestDiffLeadNames checks the core names of the fields a history entry
// records, and the summary of a task added or removed.
func TestDiffLeadNames(t *testing.T) {
	old := &Lead{Stage: StageNew, Vehicle: &Vehicle{ID: 1, BrandModel: "a"},
		Tasks: []Task{{ID: 7, Type: TaskDate, Media: MediaEmail, Subtype: "Visita", Done: true}}}
	l := &Lead{Stage: StageEnd, Outcome: OutcomeSale, Vehicle: &Vehicle{ID: 1, BrandModel: "a"},
		Tasks: []Task{{Type: TaskOther, Media: MediaWhatsapp, Description: "Llamar"}}}
	got := map[string][2]string{}
	var tasks []string
	for _, c := range diffLead(old, l) {
		if c.Field == "tasks" {
			tasks = append(tasks, c.Old+"|"+c.New)
			continue
		}
		got[c.Field] = [2]string{c.Old, c.New}
	}
	want := map[string][2]string{"stage": {"new", "end"}, "outcome": {"", "sale"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if strings.Join(tasks, ",") != "date email Visita done|,|other whatsapp Llamar" {
		t.Errorf("task summaries = %q", tasks)
	}
}

// TestPatchKind checks the kind UpdateLead records for each shape of patch.
func TestPatchKind(t *testing.T) {
	uid := int64(3)
	tests := []struct {
		name string
		p    LeadPatch
		want HistoryKind
	}{
		{"user only", LeadPatch{UserID: Value(&uid)}, KindLeadAssigned},
		{"unassign", LeadPatch{UserID: Value[*int64](nil)}, KindLeadAssigned},
		{"stage end", LeadPatch{Stage: Value(StageEnd)}, KindLeadFinished},
		{"outcome", LeadPatch{Outcome: Value(OutcomeSale)}, KindLeadFinished},
		{"outcome cleared", LeadPatch{Outcome: Value(OutcomeNone)}, KindLeadUpdated},
		{"end and user", LeadPatch{Stage: Value(StageEnd), UserID: Value(&uid)}, KindLeadFinished},
		{"another stage", LeadPatch{Stage: Value(StageTracing)}, KindLeadUpdated},
		{"user and score", LeadPatch{UserID: Value(&uid), Score: Value(2)}, KindLeadUpdated},
		{"user and client cleared", LeadPatch{UserID: Value(&uid), ClearClient: true}, KindLeadUpdated},
		{"user and notes", LeadPatch{UserID: Value(&uid), Notes: &[]NotePatch{}}, KindLeadUpdated},
		{"user and reason", LeadPatch{UserID: Value(&uid), Reason: Value("x")}, KindLeadUpdated},
		{"nothing", LeadPatch{}, KindLeadUpdated},
	}
	for _, tt := range tests {
		if got := PatchKind(tt.p); got != tt.want {
			t.Errorf("%s: PatchKind = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestNormalisePhone(t *testing.T) {
	tests := []struct{ in, region, want string }{
		{"666777888", "ES", "+34666777888"},
		{"+34 666 77 78 88", "CO", "+34666777888"},
		{"0991234567", "EC", "+593991234567"},
		{"3001234567", "CO", "+573001234567"},
		{"not a phone", "ES", ""},
		{"12", "ES", ""},
		// without a region only a number with its country code is read
		{"666777888", "", ""},
		{"+34 666 77 78 88", "", "+34666777888"},
		// "00", ITU's international prefix, names the country code too
		// (TestNormalisePhoneAsCopied)
		{"0034 666 77 78 88", "", "+34666777888"},
		// one number, as people write it (issue 9): Colombia, Spain, Ecuador
		{"573136434030", "CO", "+573136434030"},
		{"+57 313 643 4030", "CO", "+573136434030"},
		{"+573136434030", "CO", "+573136434030"},
		{"3136434030", "CO", "+573136434030"},
		{"(313) 643-4030", "CO", "+573136434030"},
		{"666 777 888", "ES", "+34666777888"},
		{"+34666777888", "ES", "+34666777888"},
		{"0034 666777888", "ES", "+34666777888"},
		{"34666777888", "ES", "+34666777888"},
		{"0987519882", "EC", "+593987519882"},
		{"+593 98 751 9882", "EC", "+593987519882"},
		{"593987519882", "EC", "+593987519882"},
		// a number of the region that happens to start with its code stays
		{"573136434030", "ES", ""},
		{"57-31x", "CO", ""},
	}
	for _, tt := range tests {
		if got := NormalisePhone(tt.in, tt.region); got != tt.want {
			t.Errorf("NormalisePhone(%q, %s) = %q, want %q", tt.in, tt.region, got, tt.want)
		}
	}
}

// TestNormalisePhoneAsCopied: a number is read as a Colombian integrator
// sends it: with "00" before its country code although Colombia dials
// abroad with 00 and a carrier's digit, and as copied from WhatsApp or a
// spreadsheet, wrapped in Unicode's bidirectional marks; what is no
// number stays none.
func TestNormalisePhoneAsCopied(t *testing.T) {
	for _, tt := range []struct{ in, region, want string }{
		{"00573136434030", "CO", "+573136434030"},
		{"0057 313 643 4030", "CO", "+573136434030"},
		{"00 57 (313) 643-4030", "CO", "+573136434030"},
		{"0057 313 643 4030", "", "+573136434030"},
		{"0034 666 777 888", "CO", "+34666777888"},
		{"0093 593 98 751 9882", "EC", ""}, // Afghanistan's code, then no number of it
		{"\u202a+57 313 643 4030\u202c", "CO", "+573136434030"},
		{"\u202a+57 313 643 4030\u202c", "", "+573136434030"},
		{"\u200e313 643 4030\u200f", "CO", "+573136434030"},
		{"\ufeff666 777 888", "ES", "+34666777888"},
		{"00", "CO", ""},
		{"0057", "CO", ""},
		{"00x573136434030", "CO", ""},
		{"\u202a\u202c", "CO", ""},
	} {
		if got := NormalisePhone(tt.in, tt.region); got != tt.want {
			t.Errorf("NormalisePhone(%q, %q) = %q, want %q", tt.in, tt.region, got, tt.want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	for code, want := range map[string]bool{
		"ES": true, "EC": true, "CO": true, "GB": true, "PT": true,
		"": false, "es": false, "Es": false, "ESP": false, "724": false, "E": false,
		"EU": false, "ZZ": false, "UK": false, "YU": false, "UN": false, "QO": false,
		// phone regions that are no ISO 3166-1 country (Ascension, Tristan da Cunha)
		"AC": false, "TA": false,
	} {
		if got := ValidCountry(code); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestWorkCalendarOpenAt(t *testing.T) {
	c := &WorkCalendar{}
	c.Days[0] = WorkDay{Start: "09:00", End: "20:00", Working: true} // Monday
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)            // a Monday
	if !c.OpenAt(mon) || c.OpenAt(mon.Add(11*time.Hour)) || c.OpenAt(mon.Add(24*time.Hour)) {
		t.Error("OpenAt wrong")
	}
	var nilCal *WorkCalendar
	if nilCal.OpenAt(mon) {
		t.Error("nil calendar open")
	}
}
