package sml

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
)

func i64(v int64) *int64 { return &v }
func iptr(v int) *int    { return &v }

func TestLeadToCore(t *testing.T) {
	at := time.Date(2019, 5, 9, 11, 59, 7, 0, madrid)
	atUTC := at.UTC()
	tests := []struct {
		name string
		in   LeadRequest
		want core.Lead
	}{
		{"minimal", LeadRequest{Source: some[int64](1), Vehicle: some(VehicleRequest{BrandModel: some("SEAT León")})},
			core.Lead{SourceID: 1, Vehicle: &core.Vehicle{BrandModel: "SEAT León"}}},
		{"nulls are empty", LeadRequest{Source: some[int64](1), Vehicle: some(VehicleRequest{BrandModel: some("x"), Price: null[string](), Year: null[int]()}),
			Client: null[ClientRequest](), User: null[int64](), MailContent: null[string](), Score: null[int]()},
			core.Lead{SourceID: 1, Vehicle: &core.Vehicle{BrandModel: "x"}}},
		{"average", LeadRequest{
			Source:  some[int64](1),
			Client:  some(ClientRequest{Name: some("Cliente"), Phone: some("666777888"), Email: some("user@example.com"), Province: some[int64](28), Location: some[int64](5)}),
			Vehicle: some(VehicleRequest{BrandModel: some("V"), Price: some("10000"), Km: some("120000"), Year: some(2008), Gas: some[int64](1), Sold: some(true)}),
			Note:    some([]NoteRequest{{Content: some("Nota")}}), Tags: some([]NoteRequest{{Content: some("Tag")}}),
			Status: some("tracing"), Result: some("sale"), Score: some(1), User: some[int64](9), MailContent: some("hola"),
		}, core.Lead{
			SourceID: 1,
			Client:   &core.Client{Name: "Cliente", Phone: "666777888", Email: "user@example.com", ProvinceID: i64(28), LocalityID: i64(5)},
			Vehicle:  &core.Vehicle{BrandModel: "V", Price: "10000", Km: "120000", Year: iptr(2008), GasID: i64(1), Sold: true},
			Notes:    []core.Note{{Content: "Nota"}}, Tags: []core.Note{{Content: "Tag"}},
			Stage: core.StageTracing, Outcome: core.OutcomeSale, Score: 1, UserID: i64(9), MailContent: "hola",
		}},
		{"tasks", LeadRequest{Source: some[int64](1), Request: some(TaskListRequest{Task: some([]TaskRequest{{
			Type: some("appraisal"), Subtype: some("s"), Description: some("d"), Media: some("Whatsapp"),
			PlanifiedRealizationDate: some(at), PlanifiedTrackingDate: null[time.Time](),
			RealizationDateCheck: some(true), TrackingDateCheck: some(false),
			Note:      some([]NoteRequest{{Content: some("n")}}),
			Appraisal: some(AppraisalRequest{BrandModel: some("b"), LicensePlate: some("8888JJJ"), Km: some("1"), Year: some(2010), Gas: some[int64](2), Extras: some("e"), Origin: some("foreign")}),
		}, {}})})},
			core.Lead{SourceID: 1, Tasks: []core.Task{{
				Type: core.TaskAppraisal, Subtype: "s", Description: "d", Media: core.MediaWhatsapp, PlannedAt: &atUTC, Done: true,
				Notes:     []core.Note{{Content: "n"}},
				Appraisal: &core.Appraisal{BrandModel: "b", LicensePlate: "8888JJJ", Km: "1", Year: iptr(2010), GasID: i64(2), Extras: "e", Origin: core.OriginForeign},
			}, {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := leadToCore(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("leadToCore:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLeadPatchToCore(t *testing.T) {
	tests := []struct {
		name string
		in   LeadRequest
		want core.LeadPatch
	}{
		{"empty", LeadRequest{}, core.LeadPatch{}},
		{"update example", LeadRequest{Score: some(4), Vehicle: some(VehicleRequest{ID: some[int64](1038), BrandModel: some("Datos adicionales sobre el modelo")})},
			core.LeadPatch{Score: core.Value(4), Vehicle: &core.VehiclePatch{ID: i64(1038), BrandModel: core.Value("Datos adicionales sobre el modelo")}}},
		{"replace vehicle, clear fields", LeadRequest{Vehicle: some(VehicleRequest{BrandModel: some("x"), Price: null[string](), Year: null[int](), Gas: some[int64](2), Sold: some(false)})},
			core.LeadPatch{Vehicle: &core.VehiclePatch{BrandModel: core.Value("x"), Price: core.Value(""), Year: core.Value[*int](nil), GasID: core.Value(i64(2)), Sold: core.Value(false)}}},
		{"detach client", LeadRequest{Client: null[ClientRequest]()}, core.LeadPatch{ClearClient: true}},
		{"update client", LeadRequest{Client: some(ClientRequest{ID: some[int64](3), Name: some("new name"), Location: null[int64]()})},
			core.LeadPatch{Client: &core.ClientPatch{ID: i64(3), Name: core.Value("new name"), LocalityID: core.Value[*int64](nil)}}},
		{"assign, unassign", LeadRequest{User: null[int64]()}, core.LeadPatch{UserID: core.Value[*int64](nil)}},
		{"clear score", LeadRequest{Score: null[int]()}, core.LeadPatch{Score: core.Value(0)}},
		{"finish with result", LeadRequest{Status: some("end"), Result: some("no_sale")},
			core.LeadPatch{Stage: core.Value(core.StageEnd), Outcome: core.Value(core.OutcomeNoSale)}},
		{"clear result", LeadRequest{Result: null[string]()}, core.LeadPatch{Outcome: core.Value(core.OutcomeNone)}},
		{"lists", LeadRequest{
			Note: some([]NoteRequest{{ID: some[int64](5)}, {Content: some("nueva")}}),
			Tags: some([]NoteRequest{}),
			Request: some(TaskListRequest{ID: some[int64](99), Task: some([]TaskRequest{
				{ID: some[int64](7), RealizationDateCheck: some(true), Appraisal: null[AppraisalRequest](),
					Note: some([]NoteRequest{{ID: some[int64](8), Content: some("editada")}})},
				{Type: some("date"), Media: some("SMS"), Appraisal: some(AppraisalRequest{ID: some[int64](4), Km: some("9"), Origin: null[string]()})},
			})}),
		}, core.LeadPatch{
			Notes: &[]core.NotePatch{{ID: i64(5)}, {Content: core.Value("nueva")}},
			Tags:  &[]core.NotePatch{},
			Tasks: &[]core.TaskPatch{
				{ID: i64(7), Done: core.Value(true), ClearAppraisal: true, Notes: &[]core.NotePatch{{ID: i64(8), Content: core.Value("editada")}}},
				{Type: core.Value(core.TaskDate), Media: core.Value(core.MediaSMS), Appraisal: &core.AppraisalPatch{ID: i64(4), Km: core.Value("9"), Origin: core.Value(core.AppraisalOrigin(""))}},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := leadPatchToCore(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("leadPatchToCore:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPatchReason checks the history kind each shape of PATCH /api/lead/{id}/
// records: Modificar, Asignar and Finalizar Lead share the URL.
func TestPatchReason(t *testing.T) {
	tests := []struct {
		in   LeadRequest
		want core.HistoryKind
	}{
		{LeadRequest{User: some[int64](1)}, core.KindLeadAssigned},
		{LeadRequest{User: null[int64]()}, core.KindLeadAssigned},
		{LeadRequest{Status: some("end")}, core.KindLeadFinished},
		{LeadRequest{Result: some("sale")}, core.KindLeadFinished},
		{LeadRequest{Result: null[string]()}, core.KindLeadUpdated},
		{LeadRequest{Status: some("tracing")}, core.KindLeadUpdated},
		{LeadRequest{User: some[int64](1), Score: some(2)}, core.KindLeadUpdated},
		{LeadRequest{User: some[int64](1), Client: null[ClientRequest]()}, core.KindLeadUpdated},
		{LeadRequest{User: some[int64](1), Note: some([]NoteRequest{})}, core.KindLeadUpdated},
		{LeadRequest{}, core.KindLeadUpdated},
	}
	for _, tt := range tests {
		if got := core.PatchKind(leadPatchToCore(tt.in)); got != tt.want {
			t.Errorf("PatchKind(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDjangoTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2019, 5, 9, 9, 21, 49, 758867000, time.UTC), madrid, "2019-05-09T11:21:49.758867+02:00"},
		{time.Date(2019, 2, 7, 12, 43, 35, 388647000, time.UTC), madrid, "2019-02-07T13:43:35.388647+01:00"},
		{time.Date(2019, 2, 7, 12, 43, 35, 0, time.UTC), madrid, "2019-02-07T13:43:35+01:00"},
		{time.Date(2019, 2, 7, 12, 43, 35, 500000000, time.UTC), madrid, "2019-02-07T13:43:35.500000+01:00"},
		{time.Date(2019, 2, 7, 12, 43, 35, 1000, time.UTC), time.UTC, "2019-02-07T12:43:35.000001Z"},
		{time.Date(2019, 2, 7, 12, 43, 35, 0, time.UTC), mustLoad("America/Guayaquil"), "2019-02-07T07:43:35-05:00"},
		// Madrid's local mean time before 1901, whole, as Python's isoformat
		// writes it
		{time.Date(1890, 3, 1, 12, 0, 0, 0, time.UTC), madrid, "1890-03-01T11:45:16-00:14:44"},
		{time.Date(1, 1, 1, 12, 0, 0, 0, time.UTC), madrid, "0001-01-01T11:45:16-00:14:44"},
		{time.Date(1890, 3, 1, 12, 0, 0, 250000000, time.UTC), mustLoad("Asia/Kolkata"), "1890-03-01T17:21:10.250000+05:21:10"},
		{time.Date(9999, 12, 31, 22, 59, 59, 0, time.UTC), madrid, "9999-12-31T23:59:59+01:00"},
	}
	for _, tt := range tests {
		if got := djangoTime(tt.t, tt.loc); got != tt.want {
			t.Errorf("djangoTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

// testRefs is a small world: one dealer, its admin and an advisor, a
// source on an origin, a fuel, Madrid.
func testRefs() (refSet, core.Lead) {
	t0 := time.Date(2019, 5, 9, 9, 21, 49, 758867000, time.UTC)
	lat := 40.4
	seen := t0.Add(33 * time.Minute)
	cal := &core.WorkCalendar{ID: 3}
	for i := range 5 {
		cal.Days[i] = core.WorkDay{ID: int64(10 + i), Start: "09:00", End: "20:00", Working: true}
	}
	dealer := core.Dealer{ID: 1, Name: "Concesionario de Prueba", TimeZone: "Europe/Madrid", Latitude: &lat, CallerID: "34910052683", Phone: "674833617",
		Guidance: core.Guidance{Visit: "Con cita previa.", Service: "Taller propio."},
		Ext:      map[string]string{"sml.web_coches_net": "https://www.coches.net/x/", "other.field": "x"},
		Calendar: cal, Notes: []core.Note{{ID: 2692, Content: "string2", Modified: t0}}}
	admin := core.User{ID: 2, Username: "adam", Email: "adam@example.com", FirstName: "Adam", LastName: "Mora", IsAdmin: true, IsActive: true,
		Memberships: []core.Membership{{ID: 1, UserID: 2, DealerID: 1, IsAdmin: true}},
		Session:     &core.Session{ID: 12, StartWorking: t0, LastSeen: &seen}}
	advisor := core.User{ID: 3, Username: "lucia", FirstName: "Lucía", IsActive: true, Memberships: []core.Membership{{ID: 2, UserID: 3, DealerID: 1}}}
	src := core.Source{ID: 1, DealerID: 1, ChannelID: 1, OriginID: 2, Data: "666666666"}
	refs := refSet{
		dealers:       map[int64]*core.Dealer{1: &dealer},
		dealerUsers:   map[int64][]core.User{1: {admin, advisor}},
		dealerSources: map[int64][]core.Source{1: {src}},
		sources:       map[int64]*core.Source{1: &src},
		origins: map[int64]*core.Origin{2: {ID: 2, Name: "coches.net", Icon: "/media/icon.png",
			Phones: []core.OriginPhone{{ID: 1, Number: "666666666"}}, Emails: []core.OriginEmail{{ID: 1, Email: "leads@example.com"}}, ChannelIDs: []int64{1}}},
		channels:   map[int64]core.Channel{1: {ID: 1, Slug: "phone", Name: "Teléfono"}},
		users:      map[int64]*core.User{2: &admin, 3: &advisor},
		gasTypes:   map[int64]core.GasType{1: {ID: 1, Name: "Gasolina"}},
		provinces:  map[int64]core.Province{28: {ID: 28, Country: "ES", Name: "Madrid", Active: true}},
		localities: map[int64]core.Locality{5: {ID: 5, ProvinceID: 28, Name: "Madrid", Active: true}},
	}
	uid := int64(2)
	gas := int64(1)
	first := t0.Add(90*time.Second + 5*time.Millisecond)
	lead := core.Lead{
		ID: 984, DealerID: 1, SourceID: 1, Stage: core.StageNew, Score: 3, UserID: &uid, CreatedAt: t0, FirstTaskAt: &first,
		Vehicle: &core.Vehicle{ID: 1036, BrandModel: "Marca y modelo de ejemplo", GasID: &gas},
		Client:  &core.Client{ID: 4, Name: "Ana", ProvinceID: i64(28), LocalityID: i64(5)},
		Tasks: []core.Task{{ID: 8, Type: core.TaskAppraisal, Media: core.MediaPhone, AuthorID: &uid, CreatedAt: first,
			Appraisal: &core.Appraisal{ID: 9, BrandModel: "b", GasID: &gas, Origin: core.OriginNational},
			Notes:     []core.Note{{ID: 5, Content: "n", Modified: first, History: []core.NoteVersion{{ID: 1, Modified: t0, UserID: &uid, Content: "old"}}}}}},
	}
	return refs, lead
}

func TestRenderLead(t *testing.T) {
	refs, lead := testRefs()
	now := time.Date(2019, 5, 9, 10, 0, 0, 0, time.UTC) // Thursday 12:00 in Madrid: open
	rd := renderer{refs: refs, now: now, p: core.Principal{UserID: 3, DealerIDs: []int64{1}}, loc: time.UTC, base: "http://localhost:8000"}
	got := rd.lead(lead)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"id": 984.0, "concessionaire": 1.0, "status": "new", "score": "3", "result": nil, "end_date": nil, "finish_date": nil,
		"created": "2019-05-09T11:21:49.758867+02:00", "first_task_date": "2019-05-09T11:23:19.763867+02:00",
		"nsa":  "{ 'years': 0, 'months': 0, 'days': 0, 'hours': 0, 'minutes': 1, 'seconds': 30 }",
		"user": 2.0, "pending_tasks": true, "mail_content": nil, "cur_user_can_assign": false, "source": 1.0,
	}
	for k, want := range checks {
		if !reflect.DeepEqual(m[k], want) {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	cd := m["concessionaire_data"].(map[string]any)
	if cd["address"] != nil || cd["latitude"] != 40.4 || cd["mask_c2c"] != "34910052683" || cd["concession_phone"] != "674833617" {
		t.Errorf("concessionaire_data = %v", cd)
	}
	if cd["date_notes"] != "Con cita previa." || cd["service_notes"] != "Taller propio." || cd["appraisal_notes"] != nil ||
		cd["financing_notes"] != nil || cd["warranty_notes"] != nil || cd["web_coches_net"] != "https://www.coches.net/x/" {
		t.Errorf("concessionaire_data's guidance and extension = %v", cd)
	}
	wc := cd["work_calendar"].(map[string]any)
	if wc["open_now"] != true || wc["monday"].(map[string]any)["start_hour"] != "09:00:00" || wc["sunday"].(map[string]any)["working_day"] != false {
		t.Errorf("work_calendar = %v", wc)
	}
	if nd := cd["notes_data"].([]any)[0].(map[string]any); nd["modified"] != "2019-05-09T11:21:49.758867+02:00" || nd["history"] != nil {
		t.Errorf("notes_data = %v (no history in a lead's concessionaire_data)", nd)
	}
	ru := cd["related_users"].([]any)[0].(map[string]any)
	if ru["id"] != 1.0 || ru["is_concessionaire_admin"] != true || ru["user_data"].(map[string]any)["online"] != true {
		t.Errorf("related_users[0] = %v", ru)
	}
	ud := m["user_data"].(map[string]any)
	if _, ok := ud["password"]; ok {
		t.Error("user_data renders a password")
	}
	if ud["is_staff"] != true || ud["is_superuser"] != true || ud["is_admin"] != true {
		t.Errorf("user_data of the installation's admin: is_staff %v is_superuser %v is_admin %v", ud["is_staff"], ud["is_superuser"], ud["is_admin"])
	}
	if ud["is_concession_admin"] != true || ud["phone"] != nil || ud["session"].(map[string]any)["start_working"] != "2019-05-09T11:21:49.758867+02:00" {
		t.Errorf("user_data = %v", ud)
	}
	cl := m["client"].(map[string]any)
	if cl["province_data"].(map[string]any)["name"] != "Madrid" || cl["location_data"].(map[string]any)["province"] != 28.0 || cl["email"] != nil {
		t.Errorf("client = %v", cl)
	}
	if v := m["vehicle"].(map[string]any); v["gas_data"].(map[string]any)["name"] != "Gasolina" || v["price"] != nil || v["sold"] != false {
		t.Errorf("vehicle = %v", v)
	}
	rq := m["request"].(map[string]any)
	task := rq["task"].([]any)[0].(map[string]any)
	if rq["id"] != 984.0 || task["author_data"].(map[string]any)["username"] != "adam" || task["appraisal"].(map[string]any)["gas_data"] == nil ||
		task["realization_date"] != nil || task["note"].([]any)[0].(map[string]any)["history"].([]any)[0].(map[string]any)["content"] != "old" {
		t.Errorf("request = %v", rq)
	}
	if _, ok := task["session"]; ok {
		t.Error("author_data has a session")
	}
	o := m["origin"].(map[string]any)
	if o["icon"] != "http://localhost:8000/media/icon.png" || len(o["phone_set"].([]any)) != 1 || o["available_channels_data"].([]any)[0].(map[string]any)["slug"] != "phone" {
		t.Errorf("origin = %v", o)
	}
	sd := m["source_data"].(map[string]any)
	if sd["channel_data"].(map[string]any)["name"] != "Teléfono" || sd["origin_data"].(map[string]any)["available_channels"] == nil {
		t.Errorf("source_data = %v", sd)
	}
	for _, k := range []string{"note", "tags"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
}

func TestRenderLeadNulls(t *testing.T) {
	refs, _ := testRefs()
	rd := renderer{refs: refs, now: time.Now(), p: core.Principal{UserID: 2, DealerIDs: []int64{1}}, assignable: map[int64]bool{1: true}}
	got := rd.lead(core.Lead{ID: 1, DealerID: 1, SourceID: 1, Stage: core.StageNew, Vehicle: &core.Vehicle{ID: 2, BrandModel: "x"}, CreatedAt: time.Now()})
	if got.Client != nil || got.UserData != nil || got.NSA != nil || got.Score != nil || got.FirstTaskDate != nil || got.PendingTasks {
		t.Errorf("lead = %+v", got)
	}
	if !got.CurUserCanAssign {
		t.Error("the dealer's admin cannot assign")
	}
	if got.Vehicle.GasData != nil || got.Vehicle.Year != nil || got.Request.Task == nil {
		t.Errorf("vehicle/request = %+v %+v", got.Vehicle, got.Request)
	}
}

func TestHistoryReason(t *testing.T) {
	long := strings.Repeat("a", 200)
	tests := []struct {
		h    core.History
		want string
	}{
		{core.History{Type: core.HistoryChanged, Kind: core.KindStageChanged, Changes: []core.Change{{Field: "stage", Old: "new", New: "tracing"}}},
			"Estado cambiado: status new → tracing"},
		{core.History{Type: core.HistoryCreated, Kind: core.KindLeadCreated, Changes: []core.Change{{Field: "stage", New: "new"}, {Field: "vehicle.brand_model", New: "SEAT"}}},
			"Lead creado: status new, vehicle.brand_model SEAT"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindLeadUpdated, Changes: []core.Change{{Field: "client.locality", Old: "", New: "5"}, {Field: "tasks", Old: "a", New: ""}}},
			"Lead modificado: client.location (vacío) → 5, request.task a → (vacío)"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindTaskDeleted}, "Tarea eliminada"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindCallPlaced, Changes: []core.Change{{Field: "call", New: "666"}}}, "Llamada realizada: click2call (vacío) → 666"},
		{core.History{Type: core.HistoryChanged, Kind: "something new"}, "something new"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindLeadUpdated, Changes: []core.Change{{Field: "notes", New: long}}},
			"Lead modificado: note (vacío) → " + strings.Repeat("a", maxChangeValue-1) + "…"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindLeadFinished, Changes: []core.Change{{Field: "stage", Old: "tracing", New: "end"}, {Field: "outcome", New: "sale"}}},
			"Lead finalizado: status tracing → end, result (vacío) → sale"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindTaskCreated, Changes: []core.Change{{Field: "tasks", New: "date email Visita al concesionario done"}, {Field: "tasks", Old: "other whatsapp"}}},
			"Tarea creada: request.task (vacío) → date E-mail Visita al concesionario done, request.task other Whatsapp → (vacío)"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindTaskUpdated, Changes: []core.Change{{Field: "tasks.12.media", Old: "phone", New: "sms"}, {Field: "tasks.12.description", Old: "phone", New: ""}}},
			"Tarea modificada: request.task.12.media Phone → SMS, request.task.12.description phone → (vacío)"},
		{core.History{Type: core.HistoryCreated, Kind: core.KindLeadCreated, Changes: []core.Change{{Field: "tasks", New: "date sms " + long}}},
			"Lead creado: request.task date SMS " + strings.Repeat("a", maxChangeValue-10) + "…"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindAppointmentCreated, Changes: []core.Change{{Field: "appointments", New: "test_drive planned 2026-12-01T10:00:00Z Prueba del León"}}},
			"Cita creada: cita (vacío) → prueba de conducción planificada 2026-12-01T10:00:00Z Prueba del León"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindAppointmentUpdated, Changes: []core.Change{{Field: "appointments.7.status", Old: "planned", New: "no_show"},
			{Field: "appointments.7.start", Old: "2026-12-01T10:00:00Z", New: "2026-12-02T10:00:00Z"}}},
			"Cita modificada: cita.7.status planificada → no presentado, cita.7.start 2026-12-01T10:00:00Z → 2026-12-02T10:00:00Z"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindAppointmentDeleted, Changes: []core.Change{{Field: "appointments", Old: "workshop done 2026-12-01T10:00:00Z"}}},
			"Cita eliminada: cita taller realizada 2026-12-01T10:00:00Z → (vacío)"},
		{core.History{Type: core.HistoryChanged, Kind: core.KindCommunicationLogged, Changes: []core.Change{{Field: "communications", New: "call inbound not_answered 2021-10-02T19:59:00Z Mantenimiento"}}},
			"Comunicación registrada: comunicacion (vacío) → llamada entrante no contestada 2021-10-02T19:59:00Z Mantenimiento"},
	}
	for _, tt := range tests {
		if got := historyReason(tt.h); got != tt.want {
			t.Errorf("historyReason(%+v) =\n %q\nwant %q", tt.h, got, tt.want)
		}
	}
	rd := renderer{refs: refSet{users: map[int64]*core.User{2: {ID: 2, Username: "adam"}}}, loc: madrid}
	e := rd.history(core.History{At: time.Date(2019, 5, 9, 9, 1, 44, 520000000, time.UTC), UserID: i64(2), Type: core.HistoryCreated, Kind: core.KindLeadCreated})
	if e.HistoryDate != "2019-05-09T11:01:44.520000+02:00" || e.HistoryUser == nil || *e.HistoryUser != "adam" || e.HistoryType != "+" {
		t.Errorf("history = %+v", e)
	}
	if e := rd.history(core.History{Type: core.HistoryDeleted}); e.HistoryUser != nil || e.HistoryType != "-" {
		t.Errorf("history = %+v", e)
	}
}

// TestHistoryReasonsCoverKinds: every kind of the core's history has its
// words in SML's history texts.
func TestHistoryReasonsCoverKinds(t *testing.T) {
	for _, k := range core.HistoryKinds {
		if _, ok := historyReasons[k]; !ok {
			t.Errorf("history kind %q has no Spanish words", k)
		}
	}
}

func TestRenderUserListItem(t *testing.T) {
	refs, _ := testRefs()
	rd := renderer{refs: refs, now: time.Now(), loc: madrid}
	u := refs.users[2]
	got := rd.userListItem(*u)
	b, _ := json.Marshal(got)
	s := string(b)
	for _, want := range []string{`"related_concessionaires":[{"id":1,"concessionaire":1,"concessionaire_data":{"id":1,"name":"Concesionario de Prueba"`,
		`"is_concessionaire_admin":true`, `"session":{"id":12,"start_working":"2019-05-09T11:21:49.758867+02:00","last_seen":"2019-05-09T11:54:49.758867+02:00","online":false}`} {
		if !strings.Contains(s, want) {
			t.Errorf("user = %s\nwant it to contain %s", s, want)
		}
	}
	if strings.Contains(s, "password") {
		t.Errorf("user renders a password: %s", s)
	}
}

func TestHistoryField(t *testing.T) {
	for in, want := range map[string]string{
		"stage":                     "status",
		"outcome":                   "result",
		"client.locality":           "client.location",
		"tasks":                     "request.task",
		"tasks.12.done":             "request.task.12.realization_date_check",
		"tasks.12.planned":          "request.task.12.planified_realization_date",
		"tasks.12.planned_tracking": "request.task.12.planified_tracking_date",
		"tasks.12.tracked":          "request.task.12.tracking_date_check",
		"tasks.12.appraisal.km":     "request.task.12.appraisal.km",
		"tasks.12.notes":            "request.task.12.note",
		"notes":                     "note",
		"call":                      "click2call",
		"appointments":              "cita",
		"appointments.7.start":      "cita.7.start",
	} {
		if got := historyField(in); got != want {
			t.Errorf("historyField(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountryID(t *testing.T) {
	for code, id := range map[string]int64{"ES": 28, "PT": 1620, "GB": 1826, "EC": 1218, "FR": 1250} {
		if got := countryID(code); got != id {
			t.Errorf("countryID(%s) = %d, want %d", code, got, id)
		}
		if got, ok := countryCode(id); !ok || got != code {
			t.Errorf("countryCode(%d) = %q %v, want %s", id, got, ok, code)
		}
	}
	// Spain is only 28; SML's other small ids and numbers of no country
	// name none.
	for _, id := range []int64{1724, 1, 27, 29, 1000, 1999, 2620, -1, 1967} {
		if got, ok := countryCode(id); ok {
			t.Errorf("countryCode(%d) = %q", id, got)
		}
	}
	if got := countryID(""); got != 0 {
		t.Errorf("countryID(\"\") = %d", got)
	}
}
