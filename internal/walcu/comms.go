package walcu

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"forecourt/internal/core"
)

// commBackend serves conferences, sms, chatmessages and whatsappmessages
// as the core's communications of a lead and its client (the same
// Casabaca shows as calls and interactions), one kind each:
//
//	_id, __v, dealer_id, created_at, updated_at   the communication's
//	lead_id        its lead (public id): a communication is of a lead
//	client_id      its lead's client when it was logged (the server's)
//	direction      Direction: inbound, or outbound (outbound-api, outbound-dial)
//	<status>       Status, from the collection's status words (status, delivery_status)
//	<start>        StartAt (made_at, sent_at; sms: the time it is logged)
//	duration       Duration in seconds (conferences)
//	<body>         Body (note; body)
//
// Every other field is the communication's Ext under "walcu.<field>"
// (lower case), a JSON text. See docs/walcu.md.
type commBackend struct {
	svc  *core.Service
	coll *collection
	spec commSpec
	keys map[string]string         // Ext key → the field it holds
	ext  map[string]core.FieldSpec // the fields kept in Ext a query may name (recordextquery.go)
}

// commSpec is how one collection maps onto communications.
type commSpec struct {
	kind     core.CommKind
	start    string // the field of StartAt; "": the time it is logged
	duration string // the field of Duration in seconds; "": none
	body     string // the field of Body
	status   string // the field of Status; "": always held
	words    []commWord
}

// commWord is a status word of a collection and the core's status it
// means; the first word of each status is the one shown for it when the
// word written is not known (another API set the status).
type commWord struct {
	word   string
	status core.CommStatus
}

// callWords are a call's statuses (Twilio's).
var callWords = []commWord{{"completed", core.CommHeld}, {"in-progress", core.CommHeld}, {"answered", core.CommHeld},
	{"no-answer", core.CommNotAnswered}, {"busy", core.CommNotAnswered}, {"failed", core.CommNotAnswered},
	{"canceled", core.CommNotAnswered}, {"queued", core.CommPlanned}, {"initiated", core.CommPlanned}, {"ringing", core.CommPlanned}}

// deliveryWords are a message's delivery statuses (Twilio's).
var deliveryWords = []commWord{{"delivered", core.CommHeld}, {"sent", core.CommHeld}, {"read", core.CommHeld},
	{"received", core.CommHeld}, {"receiving", core.CommHeld}, {"failed", core.CommNotAnswered}, {"undelivered", core.CommNotAnswered},
	{"canceled", core.CommNotAnswered}, {"accepted", core.CommPlanned}, {"scheduled", core.CommPlanned}, {"queued", core.CommPlanned},
	{"sending", core.CommPlanned}}

// dirWord is a direction written and the core's it means.
type dirWord struct {
	word string
	dir  core.CommDirection
}

// directionWords are the directions written, and the core's they mean.
var directionWords = []dirWord{{"inbound", core.CommInbound}, {"outbound", core.CommOutbound}, {"outbound-api", core.CommOutbound}, {"outbound-dial", core.CommOutbound}}

// commSpecs are the collections of communications.
var commSpecs = map[string]commSpec{
	"conferences":      {kind: core.CommCall, start: "made_at", duration: "duration", body: "note", status: "status", words: callWords},
	"sms":              {kind: core.CommSMS, body: "body"},
	"chatmessages":     {kind: core.CommChat, start: "sent_at", body: "body", status: "delivery_status", words: deliveryWords},
	"whatsappmessages": {kind: core.CommWhatsapp, start: "made_at", body: "body", status: "delivery_status", words: deliveryWords},
}

// The collections of communications have a lead and a client, which the
// document's examples do not show: a core communication is of a lead.
func init() {
	for name := range commSpecs {
		c := collections[name]
		for _, f := range []string{"lead_id", "client_id"} {
			c.doc.fields[f] = &shape{kind: kString}
			c.body.fields[f] = &shape{kind: kString}
			c.fields[f] = docField{kind: kString, path: f}
		}
	}
}

func newCommBackend(svc *core.Service, c *collection) *commBackend {
	b := &commBackend{svc: svc, coll: c, spec: commSpecs[c.name], keys: map[string]string{}}
	for k := range c.body.fields {
		b.keys[commExtKey(k)] = k
	}
	b.ext = recordExtSpecs(c, b.fields(), true, "lead_id", "client_id")
	return b
}

// commExtKey is the Ext key of a field: the core's keys are lower case.
func commExtKey(field string) string { return extPrefix + strings.ToLower(field) }

func (b *commBackend) one(r *request, id string) (core.Communication, error) {
	return recordOf(r, core.RecordCommunication, b.coll.singular, id, func(n int64) (core.Communication, error) { return b.svc.FindCommunication(r.ctx, n) },
		func(c core.Communication) bool { return c.DealerID == r.dealer.ID && c.Kind == b.spec.kind }, b.err)
}

func (b *commBackend) get(r *request, id string) (doc, error) {
	c, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return b.renderOne(r, c)
}

func (b *commBackend) renderOne(r *request, c core.Communication) (doc, error) {
	return renderFirst(r, c, b.render)
}

// commInput is a body read as the core's communication.
type commInput struct {
	lead      core.Lead
	direction *core.CommDirection // nil: not sent
	status    core.CommStatus
	start     *time.Time // nil: not sent
	duration  time.Duration
	body      string
	ext       map[string]string
}

func (b *commBackend) parse(r *request, body doc) (commInput, error) {
	in := commInput{status: core.CommHeld, ext: map[string]string{}}
	s, _ := body["lead_id"].(string)
	if s == "" {
		return in, invalidField("lead_id", "required: a "+b.coll.singular+" is a communication of a lead")
	}
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordLead, s)
	if err != nil {
		return in, invalidField("lead_id", "no such lead of the dealer")
	}
	if in.lead, err = b.svc.FindLead(r.ctx, n); err != nil || in.lead.DealerID != r.dealer.ID {
		return in, invalidField("lead_id", "no such lead of the dealer")
	}
	if c, _ := body["client_id"].(string); c != "" && (in.lead.Client == nil || in.lead.Client.PublicID != c) {
		return in, invalidField("client_id", "not the client of the lead (the server's: leave it out)")
	}
	if w, ok := body["direction"].(string); ok {
		i := slices.IndexFunc(directionWords, func(d dirWord) bool {
			return d.word == w
		})
		if i < 0 {
			return in, invalidField("direction", "one of inbound, outbound, outbound-api, outbound-dial")
		}
		in.direction = &directionWords[i].dir
	}
	if b.spec.status != "" {
		if w, ok := body[b.spec.status].(string); ok {
			i := slices.IndexFunc(b.spec.words, func(cw commWord) bool { return cw.word == w })
			if i < 0 {
				return in, invalidField(b.spec.status, "one of "+strings.Join(b.statusWords(), ", "))
			}
			in.status = b.spec.words[i].status
		}
	}
	if b.spec.start != "" {
		if st, ok := body[b.spec.start].(string); ok {
			t, _ := core.ParseTime(st) // checked against the schema
			in.start = &t
		}
	}
	if b.spec.duration != "" {
		if d, ok := body[b.spec.duration].(json.Number); ok {
			f, err := d.Float64()
			if err != nil || f < 0 || f > core.MaxCommDuration.Seconds() {
				return in, invalidField(b.spec.duration, "seconds from 0 to a day")
			}
			in.duration = time.Duration(f) * time.Second
		}
	}
	in.body, _ = body[b.spec.body].(string)
	for k, v := range body {
		switch k {
		case "lead_id", "client_id", b.spec.start, b.spec.duration, b.spec.body:
			continue
		}
		if isEnvelope(k) || v == nil {
			continue
		}
		raw, err := encodeExt(v)
		if err != nil {
			return in, err
		}
		in.ext[commExtKey(k)] = raw // the words of direction and status as written
	}
	return in, nil
}

func (b *commBackend) statusWords() []string {
	out := make([]string, len(b.spec.words))
	for i, w := range b.spec.words {
		out[i] = w.word
	}
	return out
}

func (b *commBackend) create(r *request, body doc) (doc, error) {
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if u := userPublicID(r); u != "" {
		in.ext[extUpdatedBy], _ = encodeExt(u)
	}
	c := core.Communication{LeadID: in.lead.ID, Kind: b.spec.kind, Status: in.status, Duration: in.duration, Body: in.body, Ext: in.ext}
	if in.direction != nil {
		c.Direction = *in.direction
	}
	if in.start != nil {
		c.StartAt = *in.start
	}
	c, err = b.svc.LogCommunication(r.ctx, c)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, c))
}

// replace makes body the communication: a direction or start left out
// keeps the communication's (the core has one always), a status left out
// is held, a duration 0, a body empty.
func (b *commBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if in.lead.ID != cur.LeadID {
		return nil, invalidField("lead_id", "a "+b.coll.singular+" cannot move to another lead")
	}
	p := core.CommunicationPatch{Version: version}
	if in.direction != nil && *in.direction != cur.Direction {
		p.Direction = core.Value(*in.direction)
	}
	if in.status != cur.Status {
		p.Status = core.Value(in.status)
	}
	if in.start != nil && !in.start.Equal(cur.StartAt) {
		p.StartAt = core.Value(*in.start)
	}
	if in.duration != cur.Duration {
		p.Duration = core.Value(in.duration)
	}
	if in.body != cur.Body {
		p.Body = core.Value(in.body)
	}
	ext := extOver(cur.Ext, in.ext)
	if !maps.Equal(ext, cur.Ext) || p.Direction.Set || p.Status.Set || p.StartAt.Set || p.Duration.Set || p.Body.Set {
		if u := userPublicID(r); u != "" {
			ext[extUpdatedBy], _ = encodeExt(u)
		}
	}
	if !maps.Equal(ext, cur.Ext) {
		p.Ext = core.Value(ext)
	}
	c, err := b.svc.UpdateCommunication(r.ctx, cur.ID, p)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(b.renderOne(r, c))
}

func (b *commBackend) remove(r *request, id string) error {
	c, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteCommunication(r.ctx, c.ID))
}

func (b *commBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), core.Eq("kind", string(b.spec.kind)), q.Where)
	q.Ext = b.ext
	return q
}

func (b *commBackend) find(r *request, q core.Query) ([]doc, error) {
	cs, _, err := b.svc.FindCommunications(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	return b.render(r, cs)
}

func (b *commBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupCommunications(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	return renderGroups(r, q.GroupBy, gs)
}

// fields are the paths a query may name and their core fields.
func (b *commBackend) fields() map[string]qfield {
	out := map[string]qfield{
		"lead_id":   {core: "lead", kind: kString, conv: idOf(core.RecordLead)},
		"client_id": {core: "client", kind: kString, conv: idOf(core.RecordClient)},
		"direction": {core: "direction", kind: kString, conv: func(_ *request, v any) (any, error) {
			for _, d := range directionWords {
				if d.word == v {
					return string(d.dir), nil
				}
			}
			return v, nil
		}},
		b.spec.body: {core: "body", kind: kString},
	}
	if b.spec.status != "" {
		out[b.spec.status] = qfield{core: "status", kind: kString, conv: func(_ *request, v any) (any, error) {
			for _, w := range b.spec.words {
				if w.word == v {
					return string(w.status), nil
				}
			}
			return v, nil
		}}
	}
	if b.spec.start != "" {
		out[b.spec.start] = qfield{core: "start_at", kind: kDate}
	}
	if b.spec.duration != "" {
		out[b.spec.duration] = qfield{core: "duration", kind: kNumber, conv: func(_ *request, v any) (any, error) {
			if f, _ := v.(float64); f == math.Trunc(f) && math.Abs(f) < 1<<40 {
				return int64(f), nil
			}
			return int64(-1), nil
		}}
	}
	return out
}

func (b *commBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, false); ok {
		return f, nil
	}
	if f, ok := b.fields()[path]; ok {
		return f, nil
	}
	if f, ok := extFieldOf(b.coll, b.ext, path); ok {
		return f, nil
	}
	if _, ok := b.coll.fields[path]; ok {
		return qfield{}, notQueryable(path, "the server's: not filterable")
	}
	return qfield{}, unknownField(b.coll, path)
}

func (b *commBackend) queryErr(err error) error { return queryErrOf(err, b.fields()) }

func (b *commBackend) err(err error) error {
	if err == nil {
		return nil
	}
	names := map[string]string{"start_at": b.spec.start, "duration": b.spec.duration, "body": b.spec.body, "status": b.spec.status,
		"direction": "direction", "lead": "lead_id", "user": "updated_by"}
	return toAPIError(err, func(k string) string {
		if n := names[k]; n != "" {
			return n
		}
		if n, ok := b.keys["walcu."+strings.TrimPrefix(k, "ext."+extPrefix)]; ok {
			return n
		}
		return k
	})
}

// render answers communications as this collection's documents: their
// leads and clients are read once for the page.
func (b *commBackend) render(r *request, cs []core.Communication) ([]doc, error) {
	var leadIDs, clientIDs []int64
	for _, c := range cs {
		leadIDs = append(leadIDs, c.LeadID)
		if c.ClientID != nil {
			clientIDs = append(clientIDs, *c.ClientID)
		}
	}
	leads := map[int64]string{}
	if ids := core.DistinctIDs(leadIDs); len(ids) > 0 {
		ls, _, err := b.svc.FindLeads(r.ctx, core.Query{Where: core.In("id", anyIDs(ids)...), Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			leads[l.ID] = l.PublicID
		}
	}
	clients := map[int64]core.Client{}
	if ids := core.DistinctIDs(clientIDs); len(ids) > 0 {
		ls, _, err := b.svc.FindClients(r.ctx, core.Query{Where: core.In("id", anyIDs(ids)...), Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, c := range ls {
			clients[c.ID] = c
		}
	}
	out := make([]doc, 0, len(cs))
	for _, c := range cs {
		d := doc{}
		for k, raw := range c.Ext {
			name, ok := b.keys[k]
			if !ok && k != extUpdatedBy {
				continue
			}
			if k == extUpdatedBy {
				name = "updated_by"
			}
			v, err := decodeExt(raw)
			if err != nil {
				continue // another API's text under walcu.: not this API's
			}
			d[name] = v
		}
		d["_id"] = c.PublicID
		d["__v"] = c.Version - 1
		d["dealer_id"] = dealerID(r.dealer)
		d["created_at"] = formatValue(c.CreatedAt)
		d["updated_at"] = formatValue(c.UpdatedAt)
		if _, ok := d["updated_by"]; !ok {
			d["updated_by"] = nil
		}
		d["lead_id"] = leads[c.LeadID]
		d["client_id"] = nil
		computed := doc{"_id": c.PublicID}
		if c.ClientID != nil {
			if cl, ok := clients[*c.ClientID]; ok {
				d["client_id"] = cl.PublicID
				if b.spec.kind == core.CommCall {
					computed["client_name"] = cl.Name
				}
			}
		}
		if w, _ := d["direction"].(string); !slices.ContainsFunc(directionWords, func(x dirWord) bool {
			return x.word == w && x.dir == c.Direction
		}) {
			d["direction"] = string(c.Direction)
		}
		if b.spec.status != "" {
			w, _ := d[b.spec.status].(string)
			if !slices.Contains(b.spec.words, commWord{w, c.Status}) {
				i := slices.IndexFunc(b.spec.words, func(cw commWord) bool { return cw.status == c.Status })
				d[b.spec.status] = b.spec.words[i].word
			}
		}
		if b.spec.start != "" {
			d[b.spec.start] = formatValue(c.StartAt)
		}
		if b.spec.duration != "" {
			d[b.spec.duration] = int64(c.Duration / time.Second)
		}
		d[b.spec.body] = c.Body
		d["computed"] = computed
		out = append(out, d)
	}
	return out, b.fillMessages(r, cs, out)
}

// anyIDs is ids as a condition's values.
func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
