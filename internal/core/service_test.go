package core_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/telephony"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

type env struct {
	svc    *core.Service
	f      demo.Fixture
	admin  context.Context // the demo admin
	other  context.Context // the admin of a second dealer
	otherD core.Dealer
	otherS core.Source
	otherU int64 // the admin of the second dealer
}

// newEnv seeds the demo data through a Service with opts, by default one
// with the log dialer.
func newEnv(t *testing.T, opts ...core.Option) env {
	t.Helper()
	return newEnvOn(t, testkit.OpenStore(t), opts...)
}

// engines runs fn as a subtest on an env over a SQLite store and, when
// $FORECOURT_TEST_POSTGRES is set, over a PostgreSQL one (testkit.Engines).
func engines(t *testing.T, fn func(t *testing.T, e env), opts ...core.Option) {
	t.Helper()
	testkit.Engines(t, func(t *testing.T, st *store.Store) { fn(t, newEnvOn(t, st, opts...)) })
}

// newEnvOn is newEnv over st.
func newEnvOn(t *testing.T, st core.Store, opts ...core.Option) env {
	t.Helper()
	ctx := context.Background()
	if len(opts) == 0 {
		opts = []core.Option{core.WithDialer(telephony.LogDialer{Log: slog.New(slog.DiscardHandler)})}
	}
	svc := core.NewService(st, append([]core.Option{core.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
	f, err := demo.Seed(ctx, svc, demo.Options{Advisors: 1})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := svc.CreateDealer(ctx, core.Dealer{Name: "Otro Concesionario", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := svc.CreateSource(ctx, core.Source{DealerID: d2.ID, ChannelID: 1, OriginID: 1, Data: "otro"})
	if err != nil {
		t.Fatal(err)
	}
	u2, err := svc.CreateUser(ctx, core.User{Username: "otro@example.com", IsActive: true,
		Memberships: []core.Membership{{DealerID: d2.ID, IsAdmin: true}}}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	return env{
		svc: svc, f: f, otherD: d2, otherS: src, otherU: u2.ID,
		admin: core.WithPrincipal(ctx, core.Principal{UserID: f.AdminID, DealerIDs: []int64{f.DealerID}}),
		other: core.WithPrincipal(ctx, core.Principal{UserID: u2.ID, DealerIDs: []int64{d2.ID}}),
	}
}

func (e env) lead(t *testing.T, mut func(*core.Lead)) core.Lead {
	t.Helper()
	l := core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"},
		Client: &core.Client{Name: "Ana", Phone: "666777888", Email: "ana@example.com"}}
	if mut != nil {
		mut(&l)
	}
	got, err := e.svc.CreateLead(e.admin, l)
	if err != nil {
		t.Fatalf("CreateLead: %v", err)
	}
	return got
}

func wantCode(t *testing.T, err error, code core.Code, field string) {
	t.Helper()
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if field != "" {
		e := err.(*core.Error)
		if _, ok := e.Fields[field]; !ok {
			t.Fatalf("error fields %v lack %q", e.Fields, field)
		}
	}
}

func countLeads(t *testing.T, e env) int {
	t.Helper()
	_, n, err := e.svc.FindLeads(e.admin, core.Query{Limit: 1, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateLeadDefaults(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	if l.ID == 0 || l.DealerID != e.f.DealerID || l.Stage != core.StageNew {
		t.Errorf("lead = id %d dealer %d stage %s", l.ID, l.DealerID, l.Stage)
	}
	if l.UserID == nil || *l.UserID != e.f.AdminID || l.CreatedBy == nil || *l.CreatedBy != e.f.AdminID {
		t.Errorf("assignee/creator = %v/%v, want the creator %d", l.UserID, l.CreatedBy, e.f.AdminID)
	}
	if l.Client.PhoneE164 != "+34666777888" || l.Client.DealerID != e.f.DealerID {
		t.Errorf("client = %+v", l.Client)
	}
	if _, ok := l.NSA(); ok || l.FirstTaskAt != nil || l.PendingTasks() {
		t.Errorf("a lead without tasks has a first-response time")
	}
	hs, n, err := e.svc.LeadHistory(e.admin, l.ID, false, core.All)
	if err != nil || n != 1 || hs[0].Type != core.HistoryCreated || hs[0].UserID == nil || *hs[0].UserID != e.f.AdminID {
		t.Errorf("history = %+v, %d, %v", hs, n, err)
	}
	got, err := e.svc.FindLead(e.admin, l.ID)
	if err != nil || got.Vehicle.BrandModel != "SEAT León" || got.Client.Name != "Ana" {
		t.Errorf("FindLead = %+v, %v", got, err)
	}
}

func TestCreateLeadSoldEnds(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, func(l *core.Lead) { l.Vehicle.Sold = true })
	if l.Stage != core.StageEnd || l.Outcome != core.OutcomeNotAvailable || l.FinishedAt == nil {
		t.Errorf("sold lead = %s/%s/%v, want end/not_available/finished", l.Stage, l.Outcome, l.FinishedAt)
	}
	l2 := e.lead(t, nil)
	sold := true
	id := l2.Vehicle.ID
	got, err := e.svc.UpdateLead(e.admin, l2.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &id, Sold: core.Value(sold)}})
	if err != nil || got.Stage != core.StageEnd || got.Outcome != core.OutcomeNotAvailable {
		t.Errorf("sold later = %s/%s, %v", got.Stage, got.Outcome, err)
	}
}

func TestCreateLeadInvalidLeavesNothing(t *testing.T) {
	e := newEnv(t)
	before := countLeads(t, e)
	bad := int64(999999)
	tests := []struct {
		name  string
		mut   func(*core.Lead)
		field string
	}{
		{"foreign source", func(l *core.Lead) { l.SourceID = e.otherS.ID }, "source"},
		{"missing source", func(l *core.Lead) { l.SourceID = bad }, "source"},
		{"unknown fuel", func(l *core.Lead) { l.Vehicle.GasID = &bad }, "vehicle.gas"},
		{"unknown province", func(l *core.Lead) { l.Client.ProvinceID = &bad }, "client.province"},
		{"unknown locality", func(l *core.Lead) { l.Client.LocalityID = &bad }, "client.locality"},
		{"user of another dealer", func(l *core.Lead) { l.UserID = &bad }, "user"},
		{"no brand model", func(l *core.Lead) { l.Vehicle.BrandModel = "" }, "vehicle.brand_model"},
		{"appraisal task without appraisal", func(l *core.Lead) { l.Tasks = []core.Task{{Type: core.TaskAppraisal}} }, "tasks.0.appraisal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "x"}, Client: &core.Client{Name: "a"}}
			tt.mut(&l)
			_, err := e.svc.CreateLead(e.admin, l)
			wantCode(t, err, core.Invalid, tt.field)
		})
	}
	if after := countLeads(t, e); after != before {
		t.Errorf("leads %d → %d after failed creates", before, after)
	}
}

func TestLocalityImpliesProvince(t *testing.T) {
	e := newEnv(t)
	loc := e.f.LocalityID
	l := e.lead(t, func(l *core.Lead) { l.Client.LocalityID = &loc })
	if l.Client.ProvinceID == nil || *l.Client.ProvinceID != e.f.ProvinceID {
		t.Errorf("province = %v, want %d", l.Client.ProvinceID, e.f.ProvinceID)
	}
	other := e.f.ProvinceIDs[8]
	_, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "x"},
		Client: &core.Client{Name: "b", ProvinceID: &other, LocalityID: &loc}})
	wantCode(t, err, core.Invalid, "client.locality")
}

func TestDealerIsolation(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, func(l *core.Lead) {
		l.Tasks = []core.Task{{Type: core.TaskDate}}
	})
	taskID := l.Tasks[0].ID
	if _, err := e.svc.FindLead(e.other, l.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("FindLead by another dealer = %v, want NotFound", err)
	}
	if ls, n, err := e.svc.FindLeads(e.other, core.Query{Limit: -1, Total: true}); err != nil || n != 0 || len(ls) != 0 {
		t.Errorf("FindLeads by another dealer = %d leads, %v", n, err)
	}
	if ls, n, _ := e.svc.FindLeads(e.other, core.Query{Where: core.In("dealer", e.f.DealerID), Limit: -1, Total: true}); n != 0 || len(ls) != 0 {
		t.Errorf("FindLeads naming a foreign dealer returned %d", n)
	}
	if _, err := e.svc.UpdateLead(e.other, l.ID, core.LeadPatch{Score: core.Value(4)}); core.ErrorCode(err) != core.NotFound {
		t.Errorf("UpdateLead by another dealer = %v", err)
	}
	if _, err := e.svc.ChangeLeadStatus(e.other, l.ID, core.StageEnd, 0); core.ErrorCode(err) != core.NotFound {
		t.Errorf("ChangeLeadStatus by another dealer = %v", err)
	}
	if _, err := e.svc.UpdateTask(e.other, taskID, core.TaskPatch{Done: core.Value(true)}); core.ErrorCode(err) != core.NotFound {
		t.Errorf("UpdateTask by another dealer = %v", err)
	}
	if _, err := e.svc.FindTask(e.other, taskID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("FindTask by another dealer = %v", err)
	}
	if err := e.svc.DeleteTask(e.other, taskID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("DeleteTask by another dealer = %v", err)
	}
	if _, err := e.svc.CreateTask(e.other, l.ID, core.Task{Type: core.TaskOther}); core.ErrorCode(err) != core.NotFound {
		t.Errorf("CreateTask by another dealer = %v", err)
	}
	if _, _, err := e.svc.LeadHistory(e.other, l.ID, false, core.All); core.ErrorCode(err) != core.NotFound {
		t.Errorf("LeadHistory by another dealer = %v", err)
	}
	if _, err := e.svc.Click2Call(e.other, l.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("Click2Call by another dealer = %v", err)
	}
	if cs, n, _ := e.svc.FindClients(e.other, testkit.List(core.ClientSchema, core.All)); n != 0 || len(cs) != 0 {
		t.Errorf("another dealer sees %d clients", n)
	}
	if us, _, _ := e.svc.FindUsers(e.other, testkit.List(core.UserSchema, core.All)); len(us) != 1 {
		t.Errorf("another dealer sees %d users, want only its own", len(us))
	}
	if _, _, err := e.svc.FindLeads(context.Background(), core.Query{}); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("no principal = %v, want Unauthorized", err)
	}
	// and nothing changed
	got, _ := e.svc.FindLead(e.admin, l.ID)
	if got.Version != l.Version || len(got.Tasks) != 1 || got.Tasks[0].Done {
		t.Errorf("lead changed by another dealer's calls: %+v", got)
	}
}

func TestStatusLifecycleAndHistory(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	got, err := e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageTracing, 0)
	if err != nil || got.Stage != core.StageTracing || got.FinishedAt != nil {
		t.Fatalf("tracing = %+v, %v", got.Stage, err)
	}
	got, err = e.svc.FinishLead(e.admin, l.ID, core.OutcomeSale, 0)
	if err != nil || got.Stage != core.StageEnd || got.Outcome != core.OutcomeSale || got.FinishedAt == nil {
		t.Fatalf("finish = %s/%s/%v, %v", got.Stage, got.Outcome, got.FinishedAt, err)
	}
	got, err = e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageCommercialManagement, 0)
	if err != nil || got.Outcome != core.OutcomeNone || got.FinishedAt != nil {
		t.Fatalf("reopen = %s/%s/%v, %v", got.Stage, got.Outcome, got.FinishedAt, err)
	}
	// a no-op records nothing
	if _, err := e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageCommercialManagement, 0); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ChangeLeadStatus(e.admin, l.ID, "closed", 0)
	wantCode(t, err, core.Invalid, "stage")

	hs, n, err := e.svc.LeadHistory(e.admin, l.ID, false, core.All)
	if err != nil || n != 4 {
		t.Fatalf("history = %d entries, %v; want 4", n, err)
	}
	if hs[1].Kind != core.KindStageChanged || hs[2].Kind != core.KindLeadFinished {
		t.Errorf("kinds = %q, %q", hs[1].Kind, hs[2].Kind)
	}
	found := false
	for _, c := range hs[1].Changes {
		if c.Field == "stage" && c.Old == "new" && c.New == "tracing" {
			found = true
		}
	}
	if !found {
		t.Errorf("status change not recorded: %+v", hs[1].Changes)
	}
}

func TestAssignLead(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	adv := e.f.AdvisorIDs[0]
	got, err := e.svc.AssignLead(e.admin, l.ID, adv, 0)
	if err != nil || got.UserID == nil || *got.UserID != adv {
		t.Fatalf("assign = %v, %v", got.UserID, err)
	}
	_, err = e.svc.AssignLead(e.admin, l.ID, 999999, 0)
	wantCode(t, err, core.Invalid, "user")
}

func TestNestedUpdate(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, func(l *core.Lead) {
		l.Notes = []core.Note{{Content: "primera"}, {Content: "segunda"}}
		l.Tags = []core.Note{{Content: "etiqueta"}}
	})
	cid, vid := l.Client.ID, l.Vehicle.ID
	keep := l.Notes[1].ID
	got, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{
		Client:  &core.ClientPatch{ID: &cid, Name: core.Value("Ana María")},
		Vehicle: &core.VehiclePatch{ID: &vid, BrandModel: core.Value("SEAT León FR")},
		Notes:   &[]core.NotePatch{{ID: &keep, Content: core.Value("segunda, editada")}, {Content: core.Value("tercera")}},
		Score:   core.Value(4),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Client.ID != cid || got.Client.Name != "Ana María" || got.Client.Phone != "666777888" {
		t.Errorf("client = %+v", got.Client)
	}
	if got.Vehicle.ID != vid || got.Vehicle.BrandModel != "SEAT León FR" || got.Score != 4 {
		t.Errorf("vehicle = %+v score %d", got.Vehicle, got.Score)
	}
	if len(got.Notes) != 2 || got.Notes[0].ID != keep || got.Notes[0].Content != "segunda, editada" || got.Notes[1].ID == 0 {
		t.Fatalf("notes = %+v", got.Notes)
	}
	if len(got.Notes[0].History) != 2 || got.Notes[0].History[0].Content != "segunda" {
		t.Errorf("note history = %+v, want both versions", got.Notes[0].History)
	}
	if len(got.Tags) != 1 {
		t.Errorf("tags untouched by the patch changed: %+v", got.Tags)
	}
	if got.Version <= l.Version {
		t.Errorf("version %d → %d", l.Version, got.Version)
	}

	// without ids, client and vehicle are replaced
	got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{
		Client:  &core.ClientPatch{Name: core.Value("Luis")},
		Vehicle: &core.VehiclePatch{BrandModel: core.Value("Toyota Corolla")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Client.ID == cid || got.Client.Name != "Luis" || got.Client.Phone != "" || got.Vehicle.ID == vid {
		t.Errorf("replace kept the old objects: client %+v vehicle %+v", got.Client, got.Vehicle)
	}
	// foreign nested ids fail and change nothing
	_, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Score: core.Value(1), Vehicle: &core.VehiclePatch{ID: &vid}})
	wantCode(t, err, core.Invalid, "vehicle.id")
	again, _ := e.svc.FindLead(e.admin, l.ID)
	if again.Score != 4 {
		t.Errorf("failed patch changed the score to %d", again.Score)
	}
}

func TestTasks(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	task, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskAppraisal, PlannedAt: &when,
		Appraisal: &core.Appraisal{BrandModel: "Renault Clio", Origin: core.OriginNational}, Notes: []core.Note{{Content: "llamar"}}})
	if err != nil {
		t.Fatal(err)
	}
	if task.ID == 0 || task.Appraisal.ID == 0 || task.Media != core.MediaPhone || task.AuthorID == nil || len(task.Notes) != 1 {
		t.Errorf("task = %+v", task)
	}
	got, _ := e.svc.FindLead(e.admin, l.ID)
	if _, ok := got.NSA(); !ok || !got.PendingTasks() {
		t.Errorf("after a task: nsa set %v, pending %v", got.FirstTaskAt, got.PendingTasks())
	}
	_, err = e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskAppraisal})
	wantCode(t, err, core.Invalid, "appraisal")

	aid := task.Appraisal.ID
	upd, err := e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Done: core.Value(true),
		Appraisal: &core.AppraisalPatch{ID: &aid, BrandModel: core.Value("Renault Clio IV")}})
	if err != nil || !upd.Done || upd.DoneAt == nil || upd.Appraisal.BrandModel != "Renault Clio IV" || upd.Appraisal.Origin != core.OriginNational {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	if err := e.svc.DeleteTask(e.admin, task.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FindTask(e.admin, task.ID); core.ErrorCode(err) != core.NotFound {
		t.Errorf("deleted task found: %v", err)
	}
	got, _ = e.svc.FindLead(e.admin, l.ID)
	if got.FirstTaskAt == nil {
		t.Errorf("deleting the task cleared the first-response time")
	}
}

func TestClick2Call(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	cc, err := e.svc.Click2Call(e.admin, l.ID)
	if err != nil || cc.ID == 0 || cc.CallControl == 0 || cc.LeadID != l.ID || cc.UserID == nil {
		t.Fatalf("click2call = %+v, %v", cc, err)
	}
	got, _ := e.svc.FindLead(e.admin, l.ID)
	if len(got.Tasks) != 1 || !got.Tasks[0].IsClick2Call || !got.Tasks[0].Done {
		t.Errorf("the call is not recorded as a done task: %+v", got.Tasks)
	}
	noPhone := e.lead(t, func(l *core.Lead) { l.Client = nil })
	_, err = e.svc.Click2Call(e.admin, noPhone.ID)
	wantCode(t, err, core.Invalid, "lead")
	if e := err.(*core.Error); e.Fields["lead"] != core.MsgNoPhone {
		t.Errorf("no phone = %v, want %s", e.Fields, core.MsgNoPhone)
	}
}

// TestHistoryKinds checks the kind each use case records: chosen by the
// Service, never by its caller.
func TestHistoryKinds(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	adv := e.f.AdvisorIDs[0]
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Score: core.Value(2)}))
	must(e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{UserID: core.Value(&adv)}))
	must(e.svc.AssignLead(e.admin, l.ID, e.f.AdminID, 0))
	must(e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageTracing, 0))
	must(e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Outcome: core.Value(core.OutcomeSale)}))
	must(e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Stage: core.Value(core.StageNew)}))
	must(e.svc.FinishLead(e.admin, l.ID, core.OutcomeNone, 0))
	task, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskDate, Media: core.MediaEmail})
	must(task, err)
	must(e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Done: core.Value(true)}))
	must(nil, e.svc.DeleteTask(e.admin, task.ID))
	must(e.svc.Click2Call(e.admin, l.ID))
	hs, _, err := e.svc.LeadHistory(e.admin, l.ID, false, core.All)
	must(hs, err)
	var got []core.HistoryKind
	for _, h := range hs {
		got = append(got, h.Kind)
	}
	want := []core.HistoryKind{core.KindLeadCreated, core.KindLeadUpdated, core.KindLeadAssigned, core.KindLeadAssigned,
		core.KindStageChanged, core.KindLeadFinished, core.KindLeadUpdated, core.KindLeadFinished,
		core.KindTaskCreated, core.KindTaskUpdated, core.KindTaskDeleted, core.KindCallPlaced, core.KindTaskCreated}
	if !slices.Equal(got, want) {
		t.Errorf("kinds = %q\nwant    %q", got, want)
	}
	if c := hs[8].Changes; len(c) != 1 || c[0].Field != "tasks" || c[0].New != "date email" {
		t.Errorf("task created: %+v", c)
	}
}

// refusingDialer is a telephony bridge that refuses every call.
type refusingDialer struct{}

func (refusingDialer) Dial(context.Context, core.Call) (int64, error) {
	return 0, errors.New("busy")
}

// TestClick2CallBridge checks the two failures of the bridge: a refused
// call and a server without a bridge are errors an API can tell apart by
// identity, and neither records anything.
func TestClick2CallBridge(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []core.Option
		want error
		code core.Code
	}{
		{"refused", []core.Option{core.WithDialer(refusingDialer{}), core.WithLogger(slog.New(slog.DiscardHandler))}, core.ErrCallRefused, core.Conflict},
		{"no bridge", []core.Option{core.WithLogger(slog.New(slog.DiscardHandler))}, core.ErrNoDialer, core.Unavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			l := e.lead(t, nil)
			_, err := e.svc.Click2Call(e.admin, l.ID)
			if !errors.Is(err, tt.want) || core.ErrorCode(err) != tt.code {
				t.Fatalf("Click2Call = %v, want %v (%s)", err, tt.want, tt.code)
			}
			got, _ := e.svc.FindLead(e.admin, l.ID)
			hs, n, _ := e.svc.LeadHistory(e.admin, l.ID, false, core.All)
			if len(got.Tasks) != 0 || n != 1 {
				t.Errorf("a failed call recorded %d tasks and %d history entries: %+v", len(got.Tasks), n, hs)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, u, err := e.svc.Login(ctx, "DEMO@example.com", "demo")
	if err != nil || token == "" || u.ID != e.f.AdminID {
		t.Fatalf("login = %q %d %v", token, u.ID, err)
	}
	for _, bad := range [][2]string{{"demo@example.com", "wrong"}, {"nobody@example.com", "demo"}, {"", ""}} {
		if _, _, err := e.svc.Login(ctx, bad[0], bad[1]); err != core.ErrBadCredentials {
			t.Errorf("login %v = %v, want bad credentials", bad, err)
		}
	}
	p, err := e.svc.Authenticate(ctx, token)
	if err != nil || p.UserID != e.f.AdminID || len(p.DealerIDs) != 1 || p.DealerIDs[0] != e.f.DealerID {
		t.Fatalf("authenticate = %+v, %v", p, err)
	}
	online := true
	us, _, err := e.svc.FindUsers(core.WithPrincipal(ctx, p), testkit.List(core.UserSchema, core.All, core.Eq("online", online)))
	if err != nil || len(us) != 1 || us[0].ID != e.f.AdminID {
		t.Errorf("online users = %+v, %v", us, err)
	}
	if err := e.svc.Logout(core.WithPrincipal(ctx, p)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("token after logout = %v, want Unauthorized", err)
	}
	if _, err := e.svc.Authenticate(ctx, "nonsense"); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("bad token = %v", err)
	}

	key, _, err := e.svc.CreateAPIKey(ctx, e.otherD.ID, nil, "crm")
	if err != nil {
		t.Fatal(err)
	}
	kp, err := e.svc.Authenticate(ctx, key)
	if err != nil || kp.UserID != 0 || len(kp.DealerIDs) != 1 || kp.DealerIDs[0] != e.otherD.ID {
		t.Fatalf("api key principal = %+v, %v", kp, err)
	}
	kctx := core.WithPrincipal(ctx, kp)
	l, err := e.svc.CreateLead(kctx, core.Lead{SourceID: e.otherS.ID, Vehicle: &core.Vehicle{BrandModel: "x"}})
	if err != nil || l.UserID != nil || l.DealerID != e.otherD.ID {
		t.Errorf("lead by API key = user %v dealer %d, %v", l.UserID, l.DealerID, err)
	}
	if _, _, err := e.svc.CreateAPIKey(ctx, e.otherD.ID, &e.f.AdminID, "x"); core.ErrorCode(err) != core.Invalid {
		t.Errorf("key for a non-member = %v", err)
	}
}

// TestCreateDealerCountry checks that a dealer needs a country, the one
// his clients' phones are read as of: the core has no default.
func TestCreateDealerCountry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tt := range []struct {
		country string
		msg     string
	}{{"", core.MsgRequired}, {"XX", core.MsgInvalid}, {"ESP", core.MsgInvalid}, {"EU", core.MsgInvalid}} {
		_, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: tt.country})
		wantCode(t, err, core.Invalid, "country")
		if got := err.(*core.Error).Fields["country"]; got != tt.msg {
			t.Errorf("country %q: %s, want %s", tt.country, got, tt.msg)
		}
	}
	d, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Motor Quito", Country: " ec "})
	if err != nil || d.Country != "EC" || d.TimeZone != "America/Guayaquil" {
		t.Fatalf("CreateDealer = %+v, %v", d, err)
	}
}

// TestCreateDealerExt checks the extension fields: keys "<api>.<field>",
// values bounded, stored as given and never shared with the caller's map.
func TestCreateDealerExt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, key := range []string{"web", "sml.", ".web", "SML.web", "sml web.x"} {
		_, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES", Ext: map[string]string{key: "x"}})
		wantCode(t, err, core.Invalid, "ext."+key)
	}
	_, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES",
		Ext: map[string]string{"sml.web_coches_net": strings.Repeat("x", core.MaxLongText+1)}})
	wantCode(t, err, core.Invalid, "ext.sml.web_coches_net")
	ext := map[string]string{"sml.web_coches_net": "https://www.coches.net/motor/"}
	d, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES", Ext: ext})
	if err != nil {
		t.Fatal(err)
	}
	ext["sml.web_coches_net"] = "changed by the caller"
	if d.Ext["sml.web_coches_net"] != "https://www.coches.net/motor/" {
		t.Errorf("ext = %v", d.Ext)
	}
}

// TestLookupsScoped checks that the lookups by id an API renders with answer
// only what the principal may see: his dealers and their sources, users who
// share a dealer with him, and himself.
func TestLookupsScoped(t *testing.T) {
	e := newEnv(t)
	ids := func(vs any) []int64 {
		var out []int64
		switch vs := vs.(type) {
		case []core.Dealer:
			for _, v := range vs {
				out = append(out, v.ID)
			}
		case []core.Source:
			for _, v := range vs {
				out = append(out, v.ID)
			}
		case []core.User:
			for _, v := range vs {
				out = append(out, v.ID)
			}
		}
		return out
	}
	check := func(what string, got any, err error, want ...int64) {
		t.Helper()
		if err != nil || !slices.Equal(ids(got), want) {
			t.Errorf("%s = %v, %v; want %v", what, ids(got), err, want)
		}
	}
	otherUser := e.otherU
	ds, err := e.svc.DealersByID(e.other, []int64{e.f.DealerID, e.otherD.ID, 9999})
	check("other's dealers", ds, err, e.otherD.ID)
	srcs, err := e.svc.SourcesByID(e.other, []int64{e.f.SourceIDs["phone"], e.otherS.ID})
	check("other's sources", srcs, err, e.otherS.ID)
	us, err := e.svc.UsersByID(e.other, []int64{e.f.AdminID, e.f.AdvisorIDs[0], otherUser})
	check("users the other admin sees", us, err, otherUser)
	us, err = e.svc.UsersByID(e.admin, []int64{otherUser, e.f.AdvisorIDs[0], e.f.AdminID})
	check("users the demo admin sees", us, err, e.f.AdminID, e.f.AdvisorIDs[0])
	key := core.WithPrincipal(context.Background(), core.Principal{APIKeyID: 1, DealerIDs: []int64{e.f.DealerID}})
	us, err = e.svc.UsersByID(key, []int64{otherUser, e.f.AdvisorIDs[0]})
	check("users an API key sees", us, err, e.f.AdvisorIDs[0])
	members, err := e.svc.DealerMembers(e.admin, e.f.DealerID)
	check("members", members, err, e.f.AdminID, e.f.AdvisorIDs[0])
	_, err = e.svc.DealerMembers(e.admin, e.otherD.ID)
	wantCode(t, err, core.NotFound, "")
	_, err = e.svc.DealerSources(e.admin, e.otherD.ID)
	wantCode(t, err, core.NotFound, "")
	_, err = e.svc.DealersByID(context.Background(), []int64{e.f.DealerID})
	wantCode(t, err, core.Unauthorized, "")
}

// TestCanAssign checks the reassignment rule and that every path that
// changes a lead's assigned user enforces it.
func TestCanAssign(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	member := func(name string, m core.Membership, admin bool) (int64, context.Context) {
		t.Helper()
		m.DealerID = e.f.DealerID
		u, err := e.svc.CreateUser(ctx, core.User{Username: name, IsActive: true, IsAdmin: admin, Memberships: []core.Membership{m}}, "pw")
		if err != nil {
			t.Fatal(err)
		}
		return u.ID, core.WithPrincipal(ctx, core.Principal{UserID: u.ID, DealerIDs: []int64{e.f.DealerID}})
	}
	advisor, asAdvisor := member("advisor", core.Membership{}, false)
	other, _ := member("other-advisor", core.Membership{}, false)
	_, asManager := member("manager", core.Membership{IsBusinessManager: true}, false)
	_, asDealerAdmin := member("dealer-admin", core.Membership{IsAdmin: true}, false)
	_, asInstallationAdmin := member("root", core.Membership{}, true)
	asKey := core.WithPrincipal(ctx, core.Principal{APIKeyID: 1, DealerIDs: []int64{e.f.DealerID}})
	asUserKey := core.WithPrincipal(ctx, core.Principal{APIKeyID: 2, UserID: other, DealerIDs: []int64{e.f.DealerID}})

	l := e.lead(t, nil) // assigned to the demo admin, its creator
	for name, tt := range map[string]struct {
		ctx  context.Context
		want bool
	}{
		"advisor": {asAdvisor, false}, "business manager": {asManager, true}, "dealer admin": {asDealerAdmin, true},
		"installation admin": {asInstallationAdmin, true}, "assignee": {e.admin, true}, "API key": {asKey, true},
		"API key acting as an advisor": {asUserKey, true}, "another dealer's admin": {e.other, false}, "no principal": {ctx, false},
	} {
		if got := e.svc.CanAssign(tt.ctx, l); got != tt.want {
			t.Errorf("%s: CanAssign = %v, want %v", name, got, tt.want)
		}
	}

	// The advisor may not reassign it, by any path; nothing changes.
	_, err := e.svc.UpdateLead(asAdvisor, l.ID, core.LeadPatch{UserID: core.Value(&advisor), Score: core.Value(4)})
	if !errors.Is(err, core.ErrAssignForbidden) || core.ErrorCode(err) != core.Forbidden {
		t.Fatalf("UpdateLead by an advisor = %v, want ErrAssignForbidden", err)
	}
	_, err = e.svc.UpdateLead(asAdvisor, l.ID, core.LeadPatch{UserID: core.Value[*int64](nil)})
	wantCode(t, err, core.Forbidden, "")
	_, err = e.svc.AssignLead(asAdvisor, l.ID, advisor, 0)
	wantCode(t, err, core.Forbidden, "")
	got, _ := e.svc.FindLead(e.admin, l.ID)
	if *got.UserID != e.f.AdminID || got.Score != 0 || got.Version != l.Version {
		t.Fatalf("a refused reassignment changed the lead: user %d score %d version %d", *got.UserID, got.Score, got.Version)
	}
	// Naming the assignee he already has changes nothing and is allowed.
	if _, err := e.svc.UpdateLead(asAdvisor, l.ID, core.LeadPatch{UserID: core.Value(&e.f.AdminID), Score: core.Value(2)}); err != nil {
		t.Fatalf("an advisor's change that keeps the assignee: %v", err)
	}

	// Those the rule names may; the new assignee may then pass it on.
	for name, c := range map[string]context.Context{"manager": asManager, "dealer admin": asDealerAdmin, "installation admin": asInstallationAdmin, "API key": asKey} {
		if _, err := e.svc.AssignLead(c, l.ID, other, 0); err != nil {
			t.Fatalf("%s: AssignLead = %v", name, err)
		}
		if _, err := e.svc.UpdateLead(c, l.ID, core.LeadPatch{UserID: core.Value(&e.f.AdminID)}); err != nil {
			t.Fatalf("%s: UpdateLead = %v", name, err)
		}
	}
	if _, err := e.svc.AssignLead(e.admin, l.ID, advisor, 0); err != nil {
		t.Fatal(err)
	}
	if !e.svc.CanAssign(asAdvisor, mustFind(t, e, l.ID)) {
		t.Error("the assignee cannot assign his lead")
	}
	if _, err := e.svc.UpdateLead(asAdvisor, l.ID, core.LeadPatch{UserID: core.Value(&other)}); err != nil {
		t.Fatalf("the assignee passing his lead on: %v", err)
	}
	_, err = e.svc.AssignLead(asAdvisor, l.ID, advisor, 0)
	wantCode(t, err, core.Forbidden, "")

	// An unassigned lead is not the advisor's to take; creating is free.
	free := e.lead(t, func(l *core.Lead) {})
	if _, err := e.svc.UpdateLead(e.admin, free.ID, core.LeadPatch{UserID: core.Value[*int64](nil)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.AssignLead(asAdvisor, free.ID, advisor, 0)
	wantCode(t, err, core.Forbidden, "")
	created, err := e.svc.CreateLead(asAdvisor, core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "x"}, UserID: &other})
	if err != nil || *created.UserID != other {
		t.Fatalf("an advisor creating a lead for another: %v", err)
	}
}

func mustFind(t *testing.T, e env, id int64) core.Lead {
	t.Helper()
	l, err := e.svc.FindLead(e.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestOperatorCommands checks the operator's commands for reference data,
// memberships and the emptiness the demo loader asks about: they check what
// they store, without a principal.
func TestOperatorCommands(t *testing.T) {
	ctx := context.Background()
	svc := core.NewService(testkit.OpenStore(t), core.WithLogger(slog.New(slog.DiscardHandler)))
	if empty, err := svc.IsEmpty(ctx); err != nil || !empty {
		t.Fatalf("IsEmpty on a new database = %v, %v", empty, err)
	}
	field := func(err error, code core.Code, field string) {
		t.Helper()
		wantCode(t, err, code, field)
	}
	_, err := svc.CreateChannel(ctx, core.Channel{Slug: " "})
	field(err, core.Invalid, "slug")
	ch, err := svc.CreateChannel(ctx, core.Channel{Slug: core.ChannelPhone, Name: "Teléfono"})
	if err != nil || ch.ID == 0 {
		t.Fatalf("CreateChannel = %+v, %v", ch, err)
	}
	_, err = svc.CreateChannel(ctx, core.Channel{Slug: core.ChannelPhone})
	field(err, core.Conflict, "")
	_, err = svc.CreateOrigin(ctx, core.Origin{Name: "web", ChannelIDs: []int64{ch.ID, 999}})
	field(err, core.Invalid, "channels")
	o, err := svc.CreateOrigin(ctx, core.Origin{Name: "coches.net", ChannelIDs: []int64{ch.ID}})
	if err != nil || o.ID == 0 {
		t.Fatalf("CreateOrigin = %+v, %v", o, err)
	}
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateSource(ctx, core.Source{DealerID: 999, ChannelID: 999, OriginID: 999})
	for _, f := range []string{"dealer", "channel", "origin"} {
		field(err, core.Invalid, f)
	}
	if src, err := svc.CreateSource(ctx, core.Source{DealerID: d.ID, ChannelID: ch.ID, OriginID: o.ID}); err != nil || src.ID == 0 {
		t.Fatalf("CreateSource = %+v, %v", src, err)
	}
	_, err = svc.CreateGasType(ctx, core.GasType{})
	field(err, core.Invalid, "name")
	_, err = svc.CreateCountry(ctx, core.Country{Code: "XX", Name: "Nowhere"})
	field(err, core.Invalid, "code")
	if c, err := svc.CreateCountry(ctx, core.Country{Code: "pt", Name: "Portugal"}); err != nil || c.Code != "PT" {
		t.Fatalf("CreateCountry = %+v, %v", c, err)
	}
	_, err = svc.CreateProvince(ctx, core.Province{Country: "FR", Name: "Gironde"})
	field(err, core.Invalid, "country")
	p, err := svc.CreateProvince(ctx, core.Province{Country: "PT", Name: "Porto", Active: true})
	if err != nil || p.ID == 0 {
		t.Fatalf("CreateProvince = %+v, %v", p, err)
	}
	_, err = svc.CreateLocality(ctx, core.Locality{ProvinceID: 999, Name: "Gaia"})
	field(err, core.Invalid, "province")
	if l, err := svc.CreateLocality(ctx, core.Locality{ProvinceID: p.ID, Name: "Gaia", Active: true}); err != nil || l.ID == 0 {
		t.Fatalf("CreateLocality = %+v, %v", l, err)
	}

	u, err := svc.CreateUser(ctx, core.User{Username: "ana", IsActive: true}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.AddMembership(ctx, core.Membership{UserID: 999, DealerID: 999})
	field(err, core.Invalid, "user")
	field(err, core.Invalid, "dealer")
	if m, err := svc.AddMembership(ctx, core.Membership{UserID: u.ID, DealerID: d.ID, IsBusinessManager: true}); err != nil || m.ID == 0 {
		t.Fatalf("AddMembership = %+v, %v", m, err)
	}
	_, err = svc.AddMembership(ctx, core.Membership{UserID: u.ID, DealerID: d.ID})
	field(err, core.Conflict, "")
	us, err := svc.UsersOfDealers(ctx, []int64{d.ID, d.ID})
	if err != nil || len(us) != 1 || us[0].ID != u.ID || !us[0].IsBusinessManager() {
		t.Fatalf("UsersOfDealers = %+v, %v", us, err)
	}
	if empty, err := svc.IsEmpty(ctx); err != nil || empty {
		t.Fatalf("IsEmpty with a dealer = %v, %v", empty, err)
	}
}
