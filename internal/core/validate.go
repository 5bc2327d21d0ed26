package core

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validateLead checks what needs no database: required fields, enumerations,
// ranges and lengths. Paths are core paths ("vehicle.brand_model",
// "tasks.0.appraisal").
func validateLead(l *Lead) FieldErrors {
	fe := FieldErrors{}
	if l.SourceID == 0 {
		fe.Add("source", MsgRequired)
	}
	if l.Kind != "" && !l.Kind.Valid() { // none is a sale (CreateLead sets it)
		fe.Add("kind", MsgInvalidChoice)
	}
	checkLeadExt(fe, l.Ext)
	if l.Vehicle == nil {
		fe.Add("vehicle", MsgRequired)
	} else {
		v := l.Vehicle
		v.BrandModel = strings.TrimSpace(v.BrandModel)
		v.SettleMakeModel()
		if v.BrandModel == "" {
			fe.Add("vehicle.brand_model", MsgRequired)
		}
		checkLen(fe, "vehicle.brand_model", v.BrandModel, MaxShortText)
		checkLen(fe, "vehicle.price", v.Price, MaxShortText)
		checkLen(fe, "vehicle.km", v.Km, MaxShortText)
		checkLen(fe, "vehicle.plate", v.Plate, MaxShortText)
		checkLen(fe, "vehicle.vin", v.VIN, MaxShortText)
		checkYear(fe, "vehicle.year", v.Year)
	}
	if c := l.Client; c != nil {
		validateClient(fe, "client.", c)
	}
	if !l.Stage.Valid() {
		fe.Add("stage", MsgInvalidChoice)
	}
	if !l.Outcome.Valid() {
		fe.Add("outcome", MsgInvalidChoice)
	}
	if l.Score < 0 || l.Score > 4 {
		fe.Add("score", MsgInvalidChoice)
	}
	checkLen(fe, "reason", l.Reason, MaxShortText)
	checkLen(fe, "mail_content", l.MailContent, MaxLongText)
	if len(l.Tasks) > MaxItems {
		fe.Add("tasks", MsgOutOfRange)
	}
	for i := range l.Tasks {
		validateTask(fe, "tasks."+strconv.Itoa(i)+".", &l.Tasks[i])
	}
	validateNotes(fe, "notes", l.Notes)
	validateNotes(fe, "tags", l.Tags)
	return fe
}

// validateTask checks t as validateLead does, with paths starting with
// prefix ("tasks.0." in a lead, "" for a lone task).
func validateTask(fe FieldErrors, prefix string, t *Task) {
	if t.Type == "" {
		t.Type = TaskOther
	}
	if t.Media == "" {
		t.Media = MediaPhone
	}
	if !t.Type.Valid() {
		fe.Add(prefix+"type", MsgInvalidChoice)
	}
	if !t.Media.Valid() {
		fe.Add(prefix+"media", MsgInvalidChoice)
	}
	checkLen(fe, prefix+"subtype", t.Subtype, MaxShortText)
	checkLen(fe, prefix+"description", t.Description, MaxLongText)
	if t.Type == TaskAppraisal && t.Appraisal == nil {
		fe.Add(prefix+"appraisal", MsgRequired)
	}
	if a := t.Appraisal; a != nil {
		a.BrandModel = strings.TrimSpace(a.BrandModel)
		if a.BrandModel == "" {
			fe.Add(prefix+"appraisal.brand_model", MsgRequired)
		}
		checkLen(fe, prefix+"appraisal.brand_model", a.BrandModel, MaxShortText)
		checkLen(fe, prefix+"appraisal.license_plate", a.LicensePlate, MaxPlate)
		checkLen(fe, prefix+"appraisal.km", a.Km, MaxShortText)
		checkLen(fe, prefix+"appraisal.extras", a.Extras, MaxLongText)
		if a.Year == nil || *a.Year != 0 { // 0: unknown, as SML's templates send it
			checkYear(fe, prefix+"appraisal.year", a.Year)
		}
		if !a.Origin.Valid() {
			fe.Add(prefix+"appraisal.origin", MsgInvalidChoice)
		}
	}
	validateNotes(fe, prefix+"notes", t.Notes)
}

func validateNotes(fe FieldErrors, path string, ns []Note) {
	if len(ns) > MaxItems {
		fe.Add(path, MsgOutOfRange)
	}
	for i := range ns {
		validateNote(fe, path+"."+strconv.Itoa(i)+".", &ns[i])
	}
}

// validateNote checks n's content, at prefix+"content"; it trims it.
func validateNote(fe FieldErrors, prefix string, n *Note) {
	n.Content = strings.TrimSpace(n.Content)
	if n.Content == "" {
		fe.Add(prefix+"content", MsgRequired)
	}
	checkLen(fe, prefix+"content", n.Content, MaxLongText)
}

// checkLen checks that s holds at most max characters (not bytes: Spanish
// text is mostly two-byte letters) and no NUL, which no database stores.
func checkLen(fe FieldErrors, path, s string, max int) {
	switch {
	case strings.ContainsRune(s, 0):
		fe.Add(path, MsgNullCharacter)
	case utf8.RuneCountInString(s) > max:
		fe.Add(path, MsgTooLong)
	}
}

// checkVehicleAmounts records on fe a lead vehicle's price or mileage
// that is a plain number (as Walcu writes them) below 0 or above
// MaxVehicle, the bounds of a VehicleRecord's; a text that is no plain
// number (SML's "15.000 €") is a text, kept as written. Only a value the
// write changes from before's (nil: a new lead) is checked, so a lead
// stored before this rule still takes writes of its other fields.
func checkVehicleAmounts(fe FieldErrors, before, l *Lead) {
	v := l.Vehicle
	if v == nil {
		return
	}
	var was Vehicle
	if before != nil && before.Vehicle != nil {
		was = *before.Vehicle
	}
	for _, a := range []struct{ path, now, was string }{{"vehicle.price", v.Price, was.Price}, {"vehicle.km", v.Km, was.Km}} {
		if a.now == a.was {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(a.now), 64)
		if err == nil && (n < 0 || n > MaxVehicle) {
			fe.Add(a.path, MsgOutOfRange)
		}
	}
}

func checkYear(fe FieldErrors, path string, y *int) {
	if y != nil && (*y < MinYear || *y > MaxYear) {
		fe.Add(path, MsgOutOfRange)
	}
}

// validateClient checks what needs no database of a client, its fields
// named under prefix ("client." on a lead), and trims and normalises them.
func validateClient(fe FieldErrors, prefix string, c *Client) {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	if c.Name == "" {
		fe.Add(prefix+"name", MsgRequired)
	}
	checkLen(fe, prefix+"name", c.Name, MaxShortText)
	checkLen(fe, prefix+"phone", c.Phone, MaxPhone)
	checkLen(fe, prefix+"email", c.Email, MaxShortText)
	c.GovID = NormaliseGovID(c.GovID)
	checkLen(fe, prefix+"gov_id", c.GovID, MaxGovID)
	c.BusinessName = strings.TrimSpace(c.BusinessName)
	checkLen(fe, prefix+"business_name", c.BusinessName, MaxShortText)
	c.Address = strings.TrimSpace(c.Address)
	checkLen(fe, prefix+"address", c.Address, MaxShortText)
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			fe.Add(prefix+"email", MsgInvalid)
		}
	}
}
