package store

import (
	"database/sql"
	"strings"
	"time"

	"forecourt/internal/core"
)

// The SQL of every core.Schema field, entity by entity. Related records
// are reached by EXISTS subqueries on their keys, so a condition on a list
// ("tasks.type") holds when any element holds it.

const (
	leadClient  = "clients c WHERE c.id = leads.client_id"
	leadVehicle = "vehicles v WHERE v.id = leads.vehicle_id"
	anyVehicle  = "vehicles v WHERE 1 = 1"
	leadTasks   = "tasks t WHERE t.lead_id = leads.id"
	leadNotes   = "notes n WHERE n.lead_id = leads.id AND n.task_id IS NULL AND n.kind = 'note'"
	leadTags    = "notes n WHERE n.lead_id = leads.id AND n.task_id IS NULL AND n.kind = 'tag'"
)

// leadTable maps core.LeadSchema onto leads. The client's name, phone and
// e-mail are also kept lower-cased on the lead (client_name, client_phone,
// client_email), which their substring filters and the name's sort read;
// OpMatch is compiled per query by leadMatch.
var leadTable = tableSQL{
	schema: &core.LeadSchema,
	table:  "leads",
	fields: map[string]fieldSQL{
		"id":                  {col: "id"},
		"public_id":           {col: "public_id"},
		"dealer":              {col: "dealer_id"},
		"source":              {col: "source_id"},
		"stage":               {col: "stage_rank"},
		"outcome":             {col: "outcome"},
		"score":               {col: "score"},
		"user":                {col: "user_id"},
		"created_by":          {col: "created_by"},
		"created_at":          {col: "created_at"},
		"updated_at":          {col: "updated_at"},
		"finished_at":         {col: "finished_at"},
		"first_task_at":       {col: "first_task_at"},
		"version":             {col: "version"},
		"mail_content":        {col: "mail_content"},
		"kind":                {col: "kind"},
		"client":              {col: "client_id"},
		"client.public_id":    {col: "c.public_id", from: leadClient},
		"client.name":         {col: "c.name", from: leadClient, text: []string{"client_name"}, order: "client_name"},
		"client.phone":        {col: "c.phone", e164: "c.phone_e164", from: leadClient, text: []string{"client_phone"}},
		"client.email":        {col: "client_email", lowered: true, text: []string{"client_email"}},
		"client.gov_id":       {col: "c.gov_id", from: leadClient},
		"client.province":     {col: "c.province_id", from: leadClient, order: relatedValue("c.province_id", leadClient)},
		"client.locality":     {col: "c.locality_id", from: leadClient, order: relatedValue("c.locality_id", leadClient)},
		"vehicle.brand_model": {col: "v.brand_model", from: leadVehicle},
		"vehicle.price":       {col: "v.price", from: leadVehicle},
		"vehicle.km":          {col: "v.km", from: leadVehicle},
		"vehicle.year":        {col: "v.year", from: leadVehicle, order: relatedValue("v.year", leadVehicle)},
		"vehicle.gas":         {col: "v.gas_id", from: leadVehicle, order: relatedValue("v.gas_id", leadVehicle)},
		"vehicle.sold":        {col: "v.sold", from: leadVehicle, order: relatedValue("v.sold", leadVehicle)},
		// the vehicles holding a value, through an index of vehicles
		// (migration 0051), then their leads through leads.vehicle_id
		// (unique): not a test of each lead's vehicle. Most vehicles have no
		// plate or VIN (SML names none): their indexes hold the others
		// alone (partial), which PostgreSQL's generic plans read too. The
		// indexes are of the lower-cased text (migration 0053): WQL
		// compares case aside, q exactly (lowerIndex).
		"vehicle.make":                  {col: "v.make", from: anyVehicle, key: "vehicle_id", keyArray: true, rare: true, each: leadVehicle, lowerIndex: true, order: relatedValue("v.make", leadVehicle)},
		"vehicle.model":                 {col: "v.model", from: anyVehicle, key: "vehicle_id", keyArray: true, rare: true, each: leadVehicle, lowerIndex: true, order: relatedValue("v.model", leadVehicle)},
		"vehicle.plate":                 {col: "v.plate", from: anyVehicle, key: "vehicle_id", keyArray: true, rare: true, each: leadVehicle, lowerIndex: true, partial: "v.plate <> ''", order: relatedValue("v.plate", leadVehicle)},
		"vehicle.vin":                   {col: "v.vin", from: anyVehicle, key: "vehicle_id", keyArray: true, rare: true, each: leadVehicle, lowerIndex: true, partial: "v.vin <> ''", order: relatedValue("v.vin", leadVehicle)},
		"tasks.type":                    {col: "t.type", from: leadTasks},
		"tasks.media":                   {col: "t.media", from: leadTasks},
		"tasks.description":             {col: "t.description", from: leadTasks},
		"tasks.done":                    {col: "t.done", from: leadTasks},
		"tasks.planned_at":              {col: "t.planned_at", from: leadTasks},
		"tasks.appraisal.license_plate": {col: "a.license_plate", from: "tasks t JOIN appraisals a ON a.task_id = t.id WHERE t.lead_id = leads.id"},
		"notes.content":                 {col: "n.content", from: leadNotes},
		"tags.content":                  {col: "n.content", from: leadTags},
	},
}

// withClients returns t, the leads' table, with its conditions on the
// client read through the clients of dealers: "client_id IN (SELECT id
// FROM clients c WHERE c.dealer_id IN (…) AND …)", which the indexes on
// clients serve (a phone, an e-mail), instead of a test of each lead's
// client (an EXISTS per lead, which reads every lead of the dealer). The
// fields are rewritten as they are looked up (tableSQL.field): a copy of
// the table's map per query was a sixth of what a LeanCore lookup
// allocated.
func (t tableSQL) withClients(dealers []int64) tableSQL {
	t.clientDealers = dealers
	return t
}

// field returns the SQL of the field name, read through the clients of
// t.clientDealers when it is the client's (see withClients).
func (t *tableSQL) field(name string) (fieldSQL, bool) {
	f, ok := t.fields[name]
	if ok && f.from == leadClient && t.clientDealers != nil {
		f.from, f.fromArgs, f.key = "clients c WHERE c.dealer_id IN "+in(len(t.clientDealers)), anys(t.clientDealers), "client_id"
	}
	return f, ok
}

// clientContacts are a client's contacts.
const clientContacts = "contacts ct WHERE ct.client_id = clients.id"

// clientTable maps core.ClientSchema onto clients.
var clientTable = tableSQL{
	schema: &core.ClientSchema,
	table:  "clients",
	fields: map[string]fieldSQL{
		"id":            {col: "id"},
		"public_id":     {col: "public_id"},
		"dealer":        {col: "dealer_id"},
		"name":          {col: "name"},
		"phone":         {col: "phone", e164: "phone_e164"},
		"email":         {col: "email", fold: true},
		"gov_id":        {col: "gov_id"},
		"business_name": {col: "business_name"},
		"address":       {col: "address"},
		"province":      {col: "province_id"},
		"locality":      {col: "locality_id"},
		"created_at":    {col: "created_at"},
		"updated_at":    {col: "updated_at"},
		// the client's contacts, and the elements of their phones and
		// e-mails (JSON arrays of texts, migration 0023)
		"contacts.name":   {col: "ct.name", from: clientContacts},
		"contacts.gov_id": {col: "ct.gov_id", from: clientContacts},
		"contacts.phones": {col: "p.value", from: "contacts ct, json_each(ct.phones) p WHERE ct.client_id = clients.id",
			pgFrom: "contacts ct, jsonb_array_elements_text(ct.phones::jsonb) p(value) WHERE ct.client_id = clients.id"},
		"contacts.emails": {col: "p.value", fold: true, from: "contacts ct, json_each(ct.emails) p WHERE ct.client_id = clients.id",
			pgFrom: "contacts ct, jsonb_array_elements_text(ct.emails::jsonb) p(value) WHERE ct.client_id = clients.id"},
	},
	search: func(c conn, term string) (string, []any) {
		cond, args := likeAny(c.pg, term, "name", "phone", "phone_e164", "email")
		p := like(term)
		return "(" + cond + " OR province_id IN (SELECT id FROM provinces WHERE " + lower(c.pg, "name") + ` LIKE ? ESCAPE '\')` +
			" OR locality_id IN (SELECT id FROM localities WHERE " + lower(c.pg, "name") + ` LIKE ? ESCAPE '\'))`, append(args, p, p)
	},
}

// userTable maps core.UserSchema onto users.
var userTable = tableSQL{
	schema: &core.UserSchema,
	table:  "users",
	fields: map[string]fieldSQL{
		"id":            {col: "id"},
		"public_id":     {col: "public_id"},
		"dealer":        {col: "m.dealer_id", from: "memberships m WHERE m.user_id = users.id"},
		"username":      {col: "username"},
		"email":         {col: "email"},
		"first_name":    {col: "first_name"},
		"last_name":     {col: "last_name"},
		"phone":         {col: "phone"},
		"click2call_id": {col: "click2call_id"},
		"is_active":     {col: "is_active"},
		"created_at":    {col: "created_at"},
		// online: a session not ended and started or seen in the last
		// core.OnlineWindow before the query's instant.
		"online": {at: func(at time.Time) (string, []any) {
			return `EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = users.id AND s.ended_at IS NULL
				AND COALESCE(s.last_seen, s.start_working) >= ?)`, []any{micros(at.Add(-core.OnlineWindow))}
		}},
	},
	search: func(c conn, term string) (string, []any) {
		return likeAny(c.pg, term, "username", "email", "first_name", "last_name", "phone", "click2call_id")
	},
}

// dealerTable maps core.DealerSchema onto dealers.
var dealerTable = tableSQL{
	schema: &core.DealerSchema,
	table:  "dealers",
	fields: map[string]fieldSQL{
		"id":        {col: "id"},
		"public_id": {col: "public_id"},
		"name":      {col: "name"},
		"country":   {col: "country"},
	},
	search: func(c conn, term string) (string, []any) {
		return likeAny(c.pg, term, dealerSearchColumns...)
	},
}

// dealerSearchColumns are the texts of a dealer that OpMatch looks at.
var dealerSearchColumns = []string{"name", "address", "web", "phone", "caller_id"}

// sourceTable maps core.SourceSchema onto sources.
var sourceTable = tableSQL{
	schema: &core.SourceSchema,
	table:  "sources",
	fields: map[string]fieldSQL{
		"id":      {col: "id"},
		"dealer":  {col: "dealer_id"},
		"channel": {col: "channel_id"},
		"origin":  {col: "origin_id"},
		"data":    {col: "data"},
	},
	search: func(c conn, term string) (string, []any) {
		p := like(term)
		l := func(col string) string { return lower(c.pg, col) + ` LIKE ? ESCAPE '\'` }
		return "(" + l("data") +
			" OR channel_id IN (SELECT id FROM channels WHERE " + l("slug") + " OR " + l("name") + ")" +
			" OR origin_id IN (SELECT id FROM origins WHERE " + l("name") + ")" +
			" OR dealer_id IN (SELECT id FROM dealers WHERE " + l("name") + "))", []any{p, p, p, p, p}
	},
}

// provinceTable maps core.ProvinceSchema onto provinces.
var provinceTable = tableSQL{
	schema: &core.ProvinceSchema,
	table:  "provinces",
	fields: map[string]fieldSQL{
		"id":      {col: "id"},
		"country": {col: "co.code", from: "countries co WHERE co.id = provinces.country_id"},
		"name":    {col: "name"},
		"active":  {col: "active"},
	},
	search: nameSearch,
}

// localityTable maps core.LocalitySchema onto localities.
var localityTable = tableSQL{
	schema: &core.LocalitySchema,
	table:  "localities",
	fields: map[string]fieldSQL{
		"id":       {col: "id"},
		"province": {col: "province_id"},
		"name":     {col: "name"},
		"active":   {col: "active"},
	},
	search: nameSearch,
}

func nameSearch(c conn, term string) (string, []any) { return likeAny(c.pg, term, "name") }

// appointmentTable maps core.AppointmentSchema onto appointments.
var appointmentTable = tableSQL{
	schema: &core.AppointmentSchema,
	table:  "appointments",
	fields: map[string]fieldSQL{
		"id":         {col: "id"},
		"public_id":  {col: "public_id"},
		"dealer":     {col: "dealer_id"},
		"lead":       {col: "lead_id"},
		"client":     {col: "client_id"},
		"user":       {col: "user_id"},
		"created_by": {col: "created_by"},
		"type":       {col: "type"},
		"status":     {col: "status"},
		"remote":     {col: "remote"},
		"title":      {col: "title"},
		"place":      {col: "place"},
		"comments":   {col: "comments"},
		"start_at":   {col: "start_at"},
		"end_at":     {col: "end_at"},
		"created_at": {col: "created_at"},
		"updated_at": {col: "updated_at"},
		"version":    {col: "version"},
	},
	search: func(c conn, term string) (string, []any) { return likeAny(c.pg, term, "title", "place", "comments") },
}

// tables lists every table mapping, for TestTablesCoverSchemas.
var tables = []*tableSQL{&leadTable, &clientTable, &userTable, &dealerTable, &sourceTable, &provinceTable, &localityTable, &appointmentTable, &taskTable, &noteTable,
	&communicationTable, &contactTable, &vehicleTable}

// leadTermRefs are the records whose names a search term of a lead list
// finds: the lead then matches through them (its source, assigned user, the
// client's province or locality), besides its own texts. Looked up before
// the page is built, so that a term naming none of them keeps the plain
// shape the trigram index serves.
type leadTermRefs struct {
	sources, users, provinces, localities, fuels []int64
	// the leads whose stock car's plate or VIN holds the term, or past
	// maxCarLeads of them the term's pattern (searchcars.go)
	carLeads   []int64
	carPattern string
}

func (r leadTermRefs) empty() bool {
	return len(r.sources) == 0 && len(r.users) == 0 && len(r.provinces) == 0 && len(r.localities) == 0 && len(r.fuels) == 0 &&
		len(r.carLeads) == 0 && r.carPattern == ""
}

// leadRefs looks up, for each term, the dealers' sources (by channel slug
// or name, origin name or data), the dealers' members (by names, username
// or e-mail), the provinces, localities and fuels (by name) it finds: one
// query per term over small reference tables.
func leadRefs(c conn, dealers []int64, terms []string) (map[string]leadTermRefs, error) {
	out := map[string]leadTermRefs{}
	l := func(col string) string { return lower(c.pg, col) + ` LIKE ? ESCAPE '\'` }
	q := `SELECT 's', s.id FROM sources s JOIN channels ch ON ch.id = s.channel_id JOIN origins o ON o.id = s.origin_id
		WHERE s.dealer_id IN ` + in(len(dealers)) + ` AND (` + l("s.data") + ` OR ` + l("ch.slug") + ` OR ` + l("ch.name") + ` OR ` + l("o.name") + `)
		UNION ALL SELECT 'u', u.id FROM users u WHERE u.id IN (SELECT user_id FROM memberships WHERE dealer_id IN ` + in(len(dealers)) + `)
		AND (` + l("u.first_name") + ` OR ` + l("u.last_name") + ` OR ` + l("u.username") + ` OR ` + l("u.email") + `)
		UNION ALL SELECT 'p', id FROM provinces WHERE ` + l("name") + `
		UNION ALL SELECT 'l', id FROM localities WHERE ` + l("name") + `
		UNION ALL SELECT 'g', id FROM gas_types WHERE ` + l("name")
	withCars := q + carRefsArm(c.pg, len(dealers))
	for _, term := range terms {
		if _, done := out[term]; done {
			continue
		}
		p := like(term)
		args := append(anys(dealers), p, p, p, p)
		args = append(args, anys(dealers)...)
		args = append(args, p, p, p, p, p, p, p)
		query := q
		if carWord(term) {
			query, args = withCars, append(args, carRefsArgs(dealers, p)...)
		}
		var r leadTermRefs
		err := eachRow(c, query, args, func(rows *sql.Rows) error {
			var kind string
			var id int64
			if err := rows.Scan(&kind, &id); err != nil {
				return err
			}
			switch kind {
			case "s":
				r.sources = append(r.sources, id)
			case "u":
				r.users = append(r.users, id)
			case "p":
				r.provinces = append(r.provinces, id)
			case "l":
				r.localities = append(r.localities, id)
			case "g":
				r.fuels = append(r.fuels, id)
			case "c":
				r.addCarLead(id, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out[term] = r
	}
	return out, nil
}

// arms returns the conditions on a lead's row that r adds to a term, to OR
// with the term's own texts: its source, its assigned user, its vehicle's
// fuel, its client's province or locality (a client of dealers).
func (r leadTermRefs) arms(pg bool, dealers []int64) (conds []string, args []any) {
	if len(r.sources) > 0 {
		conds, args = append(conds, "source_id IN "+in(len(r.sources))), append(args, anys(r.sources)...)
	}
	if len(r.users) > 0 {
		conds, args = append(conds, "user_id IN "+in(len(r.users))), append(args, anys(r.users)...)
	}
	if len(r.fuels) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM "+leadVehicle+" AND v.gas_id IN "+in(len(r.fuels))+")")
		args = append(args, anys(r.fuels)...)
	}
	if car, a := r.carArm(pg, dealers); car != "" {
		conds, args = append(conds, car), append(args, a...)
	}
	if len(r.provinces) == 0 && len(r.localities) == 0 {
		return conds, args
	}
	var place []string
	args = append(args, anys(dealers)...)
	if len(r.provinces) > 0 {
		place, args = append(place, "province_id IN "+in(len(r.provinces))), append(args, anys(r.provinces)...)
	}
	if len(r.localities) > 0 {
		place, args = append(place, "locality_id IN "+in(len(r.localities))), append(args, anys(r.localities)...)
	}
	conds = append(conds, "client_id IN (SELECT id FROM clients WHERE dealer_id IN "+in(len(dealers))+" AND ("+strings.Join(place, " OR ")+"))")
	return conds, args
}
