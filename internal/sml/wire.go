package sml

import "time"

// This file holds the JSON shapes of the SML developer kit ("Kit para
// Desarrolladores SML", /work/shared/seeds/000_1ad08b88a67b8149.txt): the
// request bodies of "Tabla de comandos disponibles" and the responses of
// "Tabla de respuestas", field for field and in the document's key order.
// Where the table and the worked examples at the end of the document
// disagree, the worked examples win: they are what the real server answered.

// Opt is one field of a request body. Set says whether the key was present,
// Null whether its value was JSON null; V holds the value otherwise.
type Opt[T any] struct {
	Set  bool
	Null bool
	V    T
}

// some returns a set, non-null Opt holding v.
func some[T any](v T) Opt[T] { return Opt[T]{Set: true, V: v} }

// null returns a set Opt holding JSON null.
func null[T any]() Opt[T] { return Opt[T]{Set: true, Null: true} }

// ---------------------------------------------------------------------------
// Request bodies.

// LoginRequest is the body of Login:
//
//	{ "username": "string", "password": "string" }
//
// "username [obligatorio]: Nombre del usuario", "password [obligatorio]".
type LoginRequest struct {
	Username Opt[string]
	Password Opt[string]
}

// LeadRequest is the body of Crear Lead (POST /api/lead/) and of Modificar,
// Asignar and Finalizar Lead (PATCH /api/lead/{id_lead}/): "los campos son
// idénticos al servicio Crear Lead, salvo por la diferencia de que en cada
// subconjunto de datos se ha añadido el atributo ID".
type LeadRequest struct {
	Source      Opt[int64]           // "source [obligatorio]: Fuente de Lead"
	Vehicle     Opt[VehicleRequest]  // "vehicle [obligatorio/parcial]"
	Client      Opt[ClientRequest]   // "client": null detaches the client (PATCH)
	Request     Opt[TaskListRequest] // "request": {"id", "task": [...]}
	Note        Opt[[]NoteRequest]   // "note: Listado de notas adheribles al Lead"
	User        Opt[int64]           // "user: ID del usuario asignado al lead"
	Status      Opt[string]          // "new, commercial_management, tracing o end"
	Result      Opt[string]          // the outcome; not in the document's input, see docs/sml.md
	Score       Opt[int]             // "1 (muy bajo), 2 (bajo), 3 (medio), 4 (alto)"; null clears
	Tags        Opt[[]NoteRequest]   // "tags: Listado de etiquetas descriptivas"
	MailContent Opt[string]          // "mail_content", rendered by the document; accepted as input too
}

// VehicleRequest is the "vehicle" block: "Subconjunto de datos
// representativos del vehículo".
type VehicleRequest struct {
	ID         Opt[int64]  // PATCH: the vehicle to update; absent replaces it
	BrandModel Opt[string] // "brand_model [obligatorio]: Marca y modelo del vehículo"
	Price      Opt[string]
	Km         Opt[string]
	Year       Opt[int]
	Gas        Opt[int64] // "ID del combustible"
	Sold       Opt[bool]  // "Al marcar como Verdadero, el Lead pasa a estado Finalizado con resultado No disponible"
}

// ClientRequest is the "client" block: "Subconjunto de datos representativos
// del cliente interesado".
type ClientRequest struct {
	ID       Opt[int64]
	Name     Opt[string] // "[obligatorio en caso de rellenar el bloque cliente]"
	Phone    Opt[string]
	Email    Opt[string]
	Province Opt[int64]
	Location Opt[int64] // "ID de localidad"
}

// TaskListRequest is the "request" block: "Subconjunto de tareas/solicitudes".
// Its id is the lead's own id (see LeadResponse.Request); it is accepted and
// ignored.
type TaskListRequest struct {
	ID   Opt[int64]
	Task Opt[[]TaskRequest]
}

// TaskRequest is one task of "request.task", and the body of Crear and
// Modificar Solicitudes/Tareas (with "lead" on create).
type TaskRequest struct {
	ID                       Opt[int64]
	Lead                     Opt[int64] // POST /api/lead_task_create/ only: "lead [obligatorio]"
	Type                     Opt[string]
	Subtype                  Opt[string]
	Description              Opt[string]
	Media                    Opt[string] // "Phone, E-mail, SMS, Whatsapp (por defecto se establece Phone)"
	PlanifiedRealizationDate Opt[time.Time]
	PlanifiedTrackingDate    Opt[time.Time]
	RealizationDateCheck     Opt[bool]
	TrackingDateCheck        Opt[bool]
	Note                     Opt[[]NoteRequest]
	Appraisal                Opt[AppraisalRequest] // "[obligatorio/parcial si el type es appraisal]"
}

// AppraisalRequest is a task's "appraisal" block.
type AppraisalRequest struct {
	ID           Opt[int64]
	BrandModel   Opt[string] // "brand_model [obligatorio]: Marca y modelo del vehículo tasado"
	LicensePlate Opt[string]
	Km           Opt[string]
	Year         Opt[int]
	Gas          Opt[int64]
	Extras       Opt[string]
	Origin       Opt[string] // "national (nacional) o foreign (extranjero)"
}

// NoteRequest is one note or tag: { "id": 1, "content": "string" }.
type NoteRequest struct {
	ID      Opt[int64]
	Content Opt[string]
}

// StatusRequest is the body of Cambiar el estado del Lead: { "status": "new" }.
type StatusRequest struct {
	Status Opt[string]
}

// Click2CallRequest is the body of Click2Call: { "lead": 0 }.
type Click2CallRequest struct {
	Lead Opt[int64]
}

// ---------------------------------------------------------------------------
// Responses.

// Page is a DRF page:
//
//	{ "count": 0, "next": "string", "previous": "string", "results": [...] }
type Page[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// LoginResponse answers Login: { "username", "password", "token" }. The
// password is never echoed: it is always "********".
type LoginResponse struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Token    string `json:"token"`
}

// Detail is DRF's one-message body: { "detail": "..." }.
type Detail struct {
	Detail string `json:"detail"`
}

// DealerBase holds the fields every rendering of a concessionaire starts
// with.
type DealerBase struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Address        *string  `json:"address"`
	Latitude       *float64 `json:"latitude"`
	Longitude      *float64 `json:"longitude"`
	Schedule       *string  `json:"schedule"`
	Web            *string  `json:"web"`
	WebCochesNet   *string  `json:"web_coches_net"`
	DateNotes      *string  `json:"date_notes"`
	AppraisalNotes *string  `json:"appraisal_notes"`
	FinancingNotes *string  `json:"financing_notes"`
	WarrantyNotes  *string  `json:"warranty_notes"`
	ServiceNotes   *string  `json:"service_notes"`
}

// Concessionaire is one result of Listar concesionarios.
type Concessionaire struct {
	DealerBase
	RelatedUsers    []RelatedUser      `json:"related_users"`
	WorkCalendar    *WorkCalendar      `json:"work_calendar"`
	Sources         []SourceWithOrigin `json:"sources"`
	Notes           []int64            `json:"notes"`
	NotesData       []Note             `json:"notes_data"`
	MaskC2C         *string            `json:"mask_c2c"`
	ConcessionPhone *string            `json:"concession_phone"`
}

// LeadConcessionaire is a lead's "concessionaire_data". Its sources carry
// the short origin_data and its notes_data no history, as in the worked
// example "Datos mínimos".
type LeadConcessionaire struct {
	DealerBase
	RelatedUsers    []RelatedUser `json:"related_users"`
	WorkCalendar    *WorkCalendar `json:"work_calendar"`
	Sources         []SourceShort `json:"sources"`
	Notes           []int64       `json:"notes"`
	NotesData       []DealerNote  `json:"notes_data"`
	MaskC2C         *string       `json:"mask_c2c"`
	ConcessionPhone *string       `json:"concession_phone"`
}

// ConcessionaireShort is the concession_data of a source or of a user's
// related_concessionaires.
type ConcessionaireShort struct {
	DealerBase
	MaskC2C         *string `json:"mask_c2c"`
	ConcessionPhone *string `json:"concession_phone"`
}

// RelatedUser is one member of a concessionaire.
type RelatedUser struct {
	ID                    int64           `json:"id"`
	User                  int64           `json:"user"`
	UserData              RelatedUserData `json:"user_data"`
	IsConcessionaireAdmin bool            `json:"is_concessionaire_admin"`
	IsBusinessManager     bool            `json:"is_business_manager"`
}

// RelatedUserData is the short user of related_users; "online" is a boolean
// as in the worked example.
type RelatedUserData struct {
	ID        int64   `json:"id"`
	FirstName string  `json:"first_name"`
	LastName  string  `json:"last_name"`
	Username  string  `json:"username"`
	Phone     *string `json:"phone"`
	Email     *string `json:"email"`
	Online    bool    `json:"online"`
}

// WorkCalendar is a concessionaire's "work_calendar".
type WorkCalendar struct {
	ID        int64   `json:"id"`
	Monday    WorkDay `json:"monday"`
	Tuesday   WorkDay `json:"tuesday"`
	Wednesday WorkDay `json:"wednesday"`
	Thursday  WorkDay `json:"thursday"`
	Friday    WorkDay `json:"friday"`
	Saturday  WorkDay `json:"saturday"`
	Sunday    WorkDay `json:"sunday"`
	OpenNow   bool    `json:"open_now"`
}

// WorkDay is one day of a WorkCalendar; hours render as Django times,
// "09:00:00".
type WorkDay struct {
	ID         int64   `json:"id"`
	StartHour  *string `json:"start_hour"`
	EndHour    *string `json:"end_hour"`
	WorkingDay bool    `json:"working_day"`
}

// Channel is a source's channel_data: { "id", "slug", "name" }.
type Channel struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// OriginShort is { "id", "name", "icon" }.
type OriginShort struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Icon *string `json:"icon"`
}

// OriginChannels is an origin with the channels it offers.
type OriginChannels struct {
	OriginShort
	AvailableChannels     []int64   `json:"available_channels"`
	AvailableChannelsData []Channel `json:"available_channels_data"`
}

// Origin is a lead's "origin": the origin of its source with its published
// phones and e-mails.
type Origin struct {
	OriginShort
	PhoneSet              []OriginPhone `json:"phone_set"`
	EmailSet              []OriginEmail `json:"email_set"`
	AvailableChannels     []int64       `json:"available_channels"`
	AvailableChannelsData []Channel     `json:"available_channels_data"`
}

// OriginPhone is { "id", "number" }.
type OriginPhone struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

// OriginEmail is { "id", "email" }.
type OriginEmail struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// SourceShort is a source inside a lead's concessionaire_data.
type SourceShort struct {
	ID          int64       `json:"id"`
	Channel     int64       `json:"channel"`
	ChannelData *Channel    `json:"channel_data"`
	Data        *string     `json:"data"`
	Origin      int64       `json:"origin"`
	OriginData  OriginShort `json:"origin_data"`
}

// SourceWithOrigin is a lead's "source_data" and a source of Listar
// concesionarios: its origin_data lists the available channels.
type SourceWithOrigin struct {
	ID          int64          `json:"id"`
	Channel     int64          `json:"channel"`
	ChannelData *Channel       `json:"channel_data"`
	Data        *string        `json:"data"`
	Origin      int64          `json:"origin"`
	OriginData  OriginChannels `json:"origin_data"`
}

// SourceListItem is one result of Consultar fuentes de concesionario.
type SourceListItem struct {
	ID             int64               `json:"id"`
	Channel        int64               `json:"channel"`
	ChannelData    *Channel            `json:"channel_data"`
	Data           *string             `json:"data"`
	Origin         int64               `json:"origin"`
	OriginData     OriginShort         `json:"origin_data"`
	Concession     int64               `json:"concession"`
	ConcessionData ConcessionaireShort `json:"concession_data"`
}

// DealerNote is one of a lead's concessionaire_data.notes_data.
type DealerNote struct {
	ID       int64  `json:"id"`
	Content  string `json:"content"`
	Modified string `json:"modified"`
}

// Note is a note or tag with its edit history.
type Note struct {
	ID       int64         `json:"id"`
	Content  string        `json:"content"`
	Modified string        `json:"modified"`
	History  []NoteHistory `json:"history"`
}

// NoteHistory is one recorded version of a note.
type NoteHistory struct {
	HistoryID   int64  `json:"history_id"`
	Modified    string `json:"modified"`
	HistoryUser *int64 `json:"history_user"`
	Content     string `json:"content"`
}

// GasType is one fuel: { "id", "name" }.
type GasType struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Province is { "id", "country", "name", "status" }.
type Province struct {
	ID      int64  `json:"id"`
	Country int64  `json:"country"`
	Name    string `json:"name"`
	Status  bool   `json:"status"`
}

// Locality is { "id", "province", "name", "status" }.
type Locality struct {
	ID       int64  `json:"id"`
	Province int64  `json:"province"`
	Name     string `json:"name"`
	Status   bool   `json:"status"`
}

// Client is a lead's "client" and one result of Buscar clientes.
type Client struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Phone        *string   `json:"phone"`
	Email        *string   `json:"email"`
	Province     *int64    `json:"province"`
	ProvinceData *Province `json:"province_data"`
	Location     *int64    `json:"location"`
	LocationData *Locality `json:"location_data"`
}

// Vehicle is a lead's "vehicle".
type Vehicle struct {
	ID         int64    `json:"id"`
	BrandModel string   `json:"brand_model"`
	Price      *string  `json:"price"`
	Km         *string  `json:"km"`
	Year       *int     `json:"year"`
	Gas        *int64   `json:"gas"`
	GasData    *GasType `json:"gas_data"`
	Sold       bool     `json:"sold"`
}

// TaskList is a lead's "request": { "id", "task": [...] }. Its id is the
// lead's id: forecourt keeps a lead's tasks on the lead itself.
type TaskList struct {
	ID   int64  `json:"id"`
	Task []Task `json:"task"`
}

// TaskBase holds the fields every rendering of a task has.
type TaskBase struct {
	ID                       int64      `json:"id"`
	Type                     string     `json:"type"`
	Subtype                  *string    `json:"subtype"`
	Description              *string    `json:"description"`
	Media                    string     `json:"media"`
	PlanifiedRealizationDate *string    `json:"planified_realization_date"`
	PlanifiedTrackingDate    *string    `json:"planified_tracking_date"`
	RealizationDate          *string    `json:"realization_date"`
	RealizationDateCheck     bool       `json:"realization_date_check"`
	TrackingDate             *string    `json:"tracking_date"`
	TrackingDateCheck        bool       `json:"tracking_date_check"`
	Note                     []Note     `json:"note"`
	Created                  string     `json:"created"`
	Appraisal                *Appraisal `json:"appraisal"`
	IsClick2Call             bool       `json:"is_click2call"`
}

// Task is a task inside a lead's request, with its author.
type Task struct {
	TaskBase
	Author     *int64  `json:"author"`
	AuthorData *Author `json:"author_data"`
}

// TaskCreated answers Crear Solicitudes/Tareas: the task and its "lead".
type TaskCreated struct {
	TaskBase
	Lead int64 `json:"lead"`
}

// TaskUpdated answers Modificar Solicitudes/Tareas: "El único atributo que
// no se muestra en dicha respuesta es lead".
type TaskUpdated struct {
	TaskBase
}

// Appraisal is a task's "appraisal".
type Appraisal struct {
	ID           int64    `json:"id"`
	BrandModel   string   `json:"brand_model"`
	LicensePlate *string  `json:"license_plate"`
	Km           *string  `json:"km"`
	Year         *int     `json:"year"`
	Gas          *int64   `json:"gas"`
	GasData      *GasType `json:"gas_data"`
	Extras       *string  `json:"extras"`
	Origin       *string  `json:"origin"`
}

// UserFlags are the role flags every rendering of a full user has.
type UserFlags struct {
	IsStaff     bool `json:"is_staff"`
	IsSuperuser bool `json:"is_superuser"`
}

// UserIdentity holds the first fields of a full user. "password" and
// "repeat_password" of the document's schema are write-only and never
// rendered, as in the worked example's user_data.
type UserIdentity struct {
	ID           int64   `json:"id"`
	FirstName    string  `json:"first_name"`
	LastName     string  `json:"last_name"`
	Phone        *string `json:"phone"`
	MemberID     *string `json:"memberid"`
	IDClick2Call *string `json:"id_click2call"`
	Username     string  `json:"username"`
	Email        *string `json:"email"`
}

// UserData is a lead's "user_data".
type UserData struct {
	UserIdentity
	UserFlags
	IsAdmin              bool     `json:"is_admin"`
	IsConcessionAdmin    bool     `json:"is_concession_admin"`
	IsBusinessManager    bool     `json:"is_business_manager"`
	IsActive             bool     `json:"is_active"`
	Session              *Session `json:"session"`
	UserActivationDate   *string  `json:"user_activation_date"`
	UserDeactivationDate *string  `json:"user_deactivation_date"`
}

// Author is a task's "author_data": a user without session.
type Author struct {
	UserIdentity
	UserFlags
	IsAdmin              bool    `json:"is_admin"`
	IsConcessionAdmin    bool    `json:"is_concession_admin"`
	IsBusinessManager    bool    `json:"is_business_manager"`
	IsActive             bool    `json:"is_active"`
	UserActivationDate   *string `json:"user_activation_date"`
	UserDeactivationDate *string `json:"user_deactivation_date"`
}

// UserListItem is one result of Buscar usuarios.
type UserListItem struct {
	UserIdentity
	UserFlags
	RelatedConcessionaires []RelatedConcessionaire `json:"related_concessionaires"`
	IsAdmin                bool                    `json:"is_admin"`
	IsConcessionAdmin      bool                    `json:"is_concession_admin"`
	IsBusinessManager      bool                    `json:"is_business_manager"`
	IsActive               bool                    `json:"is_active"`
	Session                *Session                `json:"session"`
	UserActivationDate     *string                 `json:"user_activation_date"`
	UserDeactivationDate   *string                 `json:"user_deactivation_date"`
}

// RelatedConcessionaire is one membership of a user.
type RelatedConcessionaire struct {
	ID                    int64                `json:"id"`
	Concessionaire        int64                `json:"concessionaire"`
	ConcessionaireData    *ConcessionaireShort `json:"concessionaire_data"`
	IsConcessionaireAdmin bool                 `json:"is_concessionaire_admin"`
	IsBusinessManager     bool                 `json:"is_business_manager"`
}

// Session is a user's working session.
type Session struct {
	ID           int64   `json:"id"`
	StartWorking string  `json:"start_working"`
	LastSeen     *string `json:"last_seen"`
	Online       bool    `json:"online"`
}

// LeadResponse is one lead, as Consultar Lead, Crear Lead, Asignar Lead,
// Cambiar el estado, Modificar Lead and Finalizar Lead answer it, and one
// result of Listar/Buscar Leads.
type LeadResponse struct {
	ID                 int64               `json:"id"`
	Concessionaire     int64               `json:"concessionaire"`
	ConcessionaireData *LeadConcessionaire `json:"concessionaire_data"`
	Client             *Client             `json:"client"`
	Vehicle            *Vehicle            `json:"vehicle"`
	Request            TaskList            `json:"request"`
	Note               []Note              `json:"note"`
	EndDate            *string             `json:"end_date"`
	User               *int64              `json:"user"`
	UserData           *UserData           `json:"user_data"`
	Result             *string             `json:"result"`
	Created            string              `json:"created"`
	Status             string              `json:"status"`
	Score              *string             `json:"score"`
	FinishDate         *string             `json:"finish_date"`
	PendingTasks       bool                `json:"pending_tasks"`
	MailContent        *string             `json:"mail_content"`
	FirstTaskDate      *string             `json:"first_task_date"`
	NSA                *string             `json:"nsa"`
	Origin             *Origin             `json:"origin"`
	CurUserCanAssign   bool                `json:"cur_user_can_assign"`
	Tags               []Note              `json:"tags"`
	Source             int64               `json:"source"`
	SourceData         *SourceWithOrigin   `json:"source_data"`
}

// HistoryEntry is one result of Histórico de cambios en Lead.
type HistoryEntry struct {
	HistoryDate         string  `json:"history_date"`
	HistoryUser         *string `json:"history_user"`
	HistoryChangeReason string  `json:"history_change_reason"`
	HistoryType         string  `json:"history_type"`
}

// CallControl answers Click2Call: { "id", "lead", "call_control", "user" }.
type CallControl struct {
	ID          int64  `json:"id"`
	Lead        int64  `json:"lead"`
	CallControl int64  `json:"call_control"`
	User        *int64 `json:"user"`
}
