package core

import (
	"context"
	"crypto/rand"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// A dealer's organisation: its sites (agencies), its business lines, its
// campaigns, its own codes for its sources, where each of its users works
// (staff) and its web forms. Casabaca's API names them agencias, líneas de
// negocio, campañas, medios, asesores and landing pages; the core keeps
// them in its own words so that any API can map onto them. See
// docs/decisions.md, "Intake, organisation and communications".

// Agency is one of a dealer's sites: a showroom, a workshop.
type Agency struct {
	ID       int64
	PublicID string
	DealerID int64
	Code     string // the dealer's own id of the site, if it has one
	Name     string
	Active   bool
}

// BusinessLine is one of a dealer's lines of business: new cars, used
// cars, after-sales…
type BusinessLine struct {
	ID       int64
	PublicID string // its identity in other systems (Casabaca: a UUID)
	DealerID int64
	Code     string // the dealer's own short code ("1" … "4" at Casabaca)
	Name     string
	Active   bool
}

// Campaign is one of a dealer's marketing campaigns.
type Campaign struct {
	ID             int64
	PublicID       string // its identity in other systems (Casabaca: a UUID)
	DealerID       int64
	Code           string // the dealer's own code, when it has one besides its id
	Name           string
	BusinessLineID *int64
	Active         bool
}

// SourceCode is a dealer's own code for one of its sources (Casabaca's
// medio "13"), and the agency whose advisors the leads of that source go
// to.
type SourceCode struct {
	SourceID int64
	DealerID int64
	Code     string
	Name     string
	AgencyID *int64
}

// StaffRole is what a user does at a dealer.
type StaffRole string

// The staff roles.
const (
	RoleAdvisor     StaffRole = "advisor"     // a salesman or service advisor who works leads
	RoleCallCentre  StaffRole = "call_centre" // an agent of the dealer's call centre
	RoleIntegration StaffRole = "integration" // a system that files leads (a chat, a telephony platform)
)

// Valid reports whether r is a known staff role.
func (r StaffRole) Valid() bool {
	return r == RoleAdvisor || r == RoleCallCentre || r == RoleIntegration
}

// Staff is where one user works at one dealer: his role, his agency, the
// business lines he serves (none: all), the sources he works (as he
// declared them: Casabaca's medios; informative, no rule reads them), his
// position (the dealer's own job code) and what only one API has (Ext,
// keyed "<api>.<field>").
type Staff struct {
	UserID          int64
	DealerID        int64
	Role            StaffRole
	AgencyID        *int64
	BusinessLineIDs []int64
	SourceIDs       []int64
	Position        string
	Active          bool
	Ext             map[string]string
}

// Serves reports whether the staff member serves business line id (one
// with no lines listed serves every line; nil is no line).
func (s Staff) Serves(line *int64) bool {
	return line == nil || len(s.BusinessLineIDs) == 0 || slices.Contains(s.BusinessLineIDs, *line)
}

// LeadForm is one of a dealer's web forms (a landing page): its leads come
// in through one source, for a campaign and business line, and are given
// to the advisors of a position.
type LeadForm struct {
	ID             int64
	PublicID       string
	DealerID       int64
	Name           string
	SourceID       int64
	CampaignID     *int64
	BusinessLineID *int64
	AssignPosition string // the position whose advisors get its leads; "" any
	Properties     string // the form's extra fields, as its sender describes them
	Ext            map[string]string
	AuthorisedBy   *int64 // the dealer's administrator who authorised it
	CreatedBy      *int64
	CreatedAt      time.Time
}

// Organisation is a dealer's organisation as a whole: small enough to be
// read at once and looked up in memory.
type Organisation struct {
	DealerID      int64
	Agencies      []Agency
	BusinessLines []BusinessLine
	Campaigns     []Campaign
	SourceCodes   []SourceCode
	Staff         []Staff
	Forms         []LeadForm
}

// Agency returns agency id.
func (o Organisation) Agency(id int64) (Agency, bool) {
	i := slices.IndexFunc(o.Agencies, func(a Agency) bool { return a.ID == id })
	if i < 0 {
		return Agency{}, false
	}
	return o.Agencies[i], true
}

// AgencyNamed returns the agency whose name or code is name, case and
// surrounding spaces aside.
func (o Organisation) AgencyNamed(name string) (Agency, bool) {
	name = NFC(strings.TrimSpace(name)) // as the names are stored (text.go)
	for _, a := range o.Agencies {
		if name != "" && (strings.EqualFold(a.Name, name) || (a.Code != "" && a.Code == name)) {
			return a, true
		}
	}
	return Agency{}, false
}

// BusinessLine returns business line id.
func (o Organisation) BusinessLine(id int64) (BusinessLine, bool) {
	i := slices.IndexFunc(o.BusinessLines, func(b BusinessLine) bool { return b.ID == id })
	if i < 0 {
		return BusinessLine{}, false
	}
	return o.BusinessLines[i], true
}

// BusinessLineCoded returns the business line whose code or public id is
// code.
func (o Organisation) BusinessLineCoded(code string) (BusinessLine, bool) {
	code = strings.TrimSpace(code)
	for _, b := range o.BusinessLines {
		if code != "" && (b.Code == code || strings.EqualFold(b.PublicID, code)) {
			return b, true
		}
	}
	return BusinessLine{}, false
}

// Campaign returns campaign id.
func (o Organisation) Campaign(id int64) (Campaign, bool) {
	i := slices.IndexFunc(o.Campaigns, func(c Campaign) bool { return c.ID == id })
	if i < 0 {
		return Campaign{}, false
	}
	return o.Campaigns[i], true
}

// CampaignCoded returns the campaign whose public id or code is code, or
// whose public id ends it (Casabaca writes "RODRIGUEZ <uuid>").
func (o Organisation) CampaignCoded(code string) (Campaign, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return Campaign{}, false
	}
	for _, c := range o.Campaigns {
		if strings.EqualFold(c.PublicID, code) || (c.Code != "" && c.Code == code) {
			return c, true
		}
	}
	if f := strings.Fields(code); len(f) > 1 {
		last := f[len(f)-1]
		for _, c := range o.Campaigns {
			if strings.EqualFold(c.PublicID, last) {
				return c, true
			}
		}
	}
	return Campaign{}, false
}

// SourceCoded returns the source whose dealer's code is code.
func (o Organisation) SourceCoded(code string) (SourceCode, bool) {
	code = strings.TrimSpace(code)
	for _, s := range o.SourceCodes {
		if code != "" && s.Code == code {
			return s, true
		}
	}
	return SourceCode{}, false
}

// SourceCode returns the code of source id.
func (o Organisation) SourceCode(id int64) (SourceCode, bool) {
	i := slices.IndexFunc(o.SourceCodes, func(s SourceCode) bool { return s.SourceID == id })
	if i < 0 {
		return SourceCode{}, false
	}
	return o.SourceCodes[i], true
}

// StaffOf returns where user id works at the dealer.
func (o Organisation) StaffOf(id int64) (Staff, bool) {
	i := slices.IndexFunc(o.Staff, func(s Staff) bool { return s.UserID == id })
	if i < 0 {
		return Staff{}, false
	}
	return o.Staff[i], true
}

// Form returns the form named name, case aside.
func (o Organisation) Form(name string) (LeadForm, bool) {
	name = NFC(strings.TrimSpace(name)) // as the names are stored (text.go)
	for _, f := range o.Forms {
		if name != "" && strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return LeadForm{}, false
}

// Organisation returns the organisation of dealer dealerID, one of the
// principal's dealers (another's is NotFound).
func (s *Service) Organisation(ctx context.Context, dealerID int64) (Organisation, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Organisation{}, err
	}
	if !p.CanSee(dealerID) {
		return Organisation{}, errNotFound("dealer")
	}
	return s.store.Organisation(ctx, dealerID)
}

// Operator commands that build a dealer's organisation (the demo loader
// and an installation's import use them); no principal is needed.

func (s *Service) checkDealer(ctx context.Context, fe FieldErrors, id int64) error {
	ds, err := s.store.DealersByID(ctx, []int64{id})
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		fe.Add("dealer", MsgNotExist)
	}
	return nil
}

// CreateAgency stores a dealer's agency; a name taken at the dealer is a
// Conflict.
func (s *Service) CreateAgency(ctx context.Context, a Agency) (Agency, error) {
	normaliseTexts(&a) // text in NFC (text.go)
	fe := FieldErrors{}
	a.Name, a.Code = strings.TrimSpace(a.Name), strings.TrimSpace(a.Code)
	requiredText(fe, "name", a.Name, MaxShortText)
	checkLen(fe, "code", a.Code, MaxShortText)
	if err := s.checkDealer(ctx, fe, a.DealerID); err != nil {
		return Agency{}, err
	}
	if err := fe.Err(); err != nil {
		return Agency{}, err
	}
	a.ID = 0
	return a, s.store.CreateAgency(ctx, &a)
}

// CreateBusinessLine stores a dealer's business line; a code taken at the
// dealer is a Conflict.
func (s *Service) CreateBusinessLine(ctx context.Context, b BusinessLine) (BusinessLine, error) {
	normaliseTexts(&b) // text in NFC (text.go)
	fe := FieldErrors{}
	b.Name, b.Code, b.PublicID = strings.TrimSpace(b.Name), strings.TrimSpace(b.Code), strings.TrimSpace(b.PublicID)
	requiredText(fe, "name", b.Name, MaxShortText)
	requiredText(fe, "code", b.Code, MaxShortText)
	checkLen(fe, "public_id", b.PublicID, maxPublicID)
	if err := s.checkDealer(ctx, fe, b.DealerID); err != nil {
		return BusinessLine{}, err
	}
	if err := fe.Err(); err != nil {
		return BusinessLine{}, err
	}
	b.ID = 0
	return b, s.store.CreateBusinessLine(ctx, &b)
}

// CreateCampaign stores a dealer's campaign, of one of its business lines
// when given.
func (s *Service) CreateCampaign(ctx context.Context, c Campaign) (Campaign, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	fe := FieldErrors{}
	c.Name, c.Code, c.PublicID = strings.TrimSpace(c.Name), strings.TrimSpace(c.Code), strings.TrimSpace(c.PublicID)
	requiredText(fe, "name", c.Name, MaxShortText)
	checkLen(fe, "code", c.Code, MaxShortText)
	checkLen(fe, "public_id", c.PublicID, maxPublicID)
	if err := s.checkDealer(ctx, fe, c.DealerID); err != nil {
		return Campaign{}, err
	}
	if c.BusinessLineID != nil {
		o, err := s.store.Organisation(ctx, c.DealerID)
		if err != nil {
			return Campaign{}, err
		}
		if _, ok := o.BusinessLine(*c.BusinessLineID); !ok {
			fe.Add("business_line", MsgNotExist)
		}
	}
	if err := fe.Err(); err != nil {
		return Campaign{}, err
	}
	c.ID = 0
	return c, s.store.CreateCampaign(ctx, &c)
}

// CreateSourceCode gives one of a dealer's sources the dealer's own code,
// and the agency its leads go to; a code taken at the dealer, or a source
// coded already, is a Conflict.
func (s *Service) CreateSourceCode(ctx context.Context, c SourceCode) (SourceCode, error) {
	normaliseTexts(&c) // text in NFC (text.go)
	fe := FieldErrors{}
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	requiredText(fe, "code", c.Code, MaxShortText)
	checkLen(fe, "name", c.Name, MaxShortText)
	srcs, err := s.store.SourcesByID(ctx, []int64{c.SourceID})
	if err != nil {
		return SourceCode{}, err
	}
	if len(srcs) == 0 || srcs[0].DealerID != c.DealerID {
		fe.Add("source", MsgNotExist)
	}
	if c.AgencyID != nil {
		o, err := s.store.Organisation(ctx, c.DealerID)
		if err != nil {
			return SourceCode{}, err
		}
		if _, ok := o.Agency(*c.AgencyID); !ok {
			fe.Add("agency", MsgNotExist)
		}
	}
	if err := fe.Err(); err != nil {
		return SourceCode{}, err
	}
	return c, s.store.CreateSourceCode(ctx, &c)
}

// validateStaff checks st against the dealer's organisation o and the
// dealer's sources.
func (s *Service) validateStaff(ctx context.Context, st *Staff, fe FieldErrors) error {
	if !st.Role.Valid() {
		fe.Add("role", MsgInvalidChoice)
	}
	st.Position = strings.TrimSpace(st.Position)
	checkLen(fe, "position", st.Position, MaxShortText)
	for k, v := range st.Ext {
		if !validExtKey(k) {
			fe.Add("ext."+k, MsgInvalid)
		}
		checkLen(fe, "ext."+k, v, MaxLongText)
	}
	if len(st.BusinessLineIDs) > MaxItems {
		fe.Add("business_lines", MsgOutOfRange)
	}
	if len(st.SourceIDs) > MaxItems {
		fe.Add("sources", MsgOutOfRange)
	}
	o, err := s.store.Organisation(ctx, st.DealerID)
	if err != nil {
		return err
	}
	if st.AgencyID != nil {
		if _, ok := o.Agency(*st.AgencyID); !ok {
			fe.Add("agency", MsgNotExist)
		}
	}
	st.BusinessLineIDs = DistinctIDs(st.BusinessLineIDs)
	for _, id := range st.BusinessLineIDs {
		if _, ok := o.BusinessLine(id); !ok {
			fe.Add("business_lines", MsgNotExist)
		}
	}
	st.SourceIDs = DistinctIDs(st.SourceIDs)
	if len(st.SourceIDs) > 0 {
		srcs, err := s.store.SourcesByID(ctx, st.SourceIDs)
		if err != nil {
			return err
		}
		if len(srcs) != len(st.SourceIDs) || slices.ContainsFunc(srcs, func(x Source) bool { return x.DealerID != st.DealerID }) {
			fe.Add("sources", MsgNotExist)
		}
	}
	st.Ext = maps.Clone(st.Ext)
	return nil
}

// PlaceStaff stores where user st.UserID, a member of dealer st.DealerID,
// works there (replacing what was stored).
func (s *Service) PlaceStaff(ctx context.Context, st Staff) (Staff, error) {
	fe := FieldErrors{}
	us, err := s.store.UsersByID(ctx, []int64{st.UserID})
	if err != nil {
		return Staff{}, err
	}
	if len(us) == 0 || !us[0].hasDealer(st.DealerID) {
		fe.Add("user", MsgNotExist)
	}
	if err := s.validateStaff(ctx, &st, fe); err != nil {
		return Staff{}, err
	}
	if err := fe.Err(); err != nil {
		return Staff{}, err
	}
	return st, s.store.PlaceStaff(ctx, &st)
}

// RegisterUser creates a user of one of the principal's dealers
// (st.DealerID) who works there as st says (Casabaca's register of its
// API users). Only an administrator of that dealer, the installation's
// administrator or an API key of the dealer may: anyone else is
// Forbidden. An empty password leaves a new user unable to log in until
// an operator sets one.
//
// Registering again a user registered before is accepted (created is
// false): when the username or e-mail is a user of that dealer alone, no
// administrator, and the password given is his (or none is given), his
// place (st) is stored anew and nothing else changes. A username or
// e-mail of anyone else is taken (Invalid, MsgTaken).
func (s *Service) RegisterUser(ctx context.Context, u User, password string, st Staff) (out User, created bool, err error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return User{}, false, err
	}
	if !p.CanSee(st.DealerID) {
		return User{}, false, errNotFound("dealer")
	}
	if err := s.mayAdminister(ctx, p, st.DealerID); err != nil {
		return User{}, false, err
	}
	fe := FieldErrors{}
	u.Username, u.Email = strings.TrimSpace(u.Username), strings.TrimSpace(u.Email)
	if u.Username == "" {
		u.Username = u.Email
	}
	requiredText(fe, "username", u.Username, MaxLoginLen)
	checkLen(fe, "email", u.Email, MaxLoginLen)
	checkLen(fe, "first_name", u.FirstName, MaxShortText)
	checkLen(fe, "last_name", u.LastName, MaxShortText)
	checkLen(fe, "phone", u.Phone, MaxPhone)
	if len(password) > MaxPasswordLen {
		fe.Add("password", MsgTooLong)
	}
	if err := s.validateStaff(ctx, &st, fe); err != nil {
		return User{}, false, err
	}
	if err := fe.Err(); err != nil {
		return User{}, false, err
	}
	var taken []User
	for _, login := range DistinctStrings(u.Username, u.Email) {
		if login == "" {
			continue
		}
		found, err := s.store.UserByLogin(ctx, login)
		switch {
		case err == nil:
			taken = append(taken, found)
		case ErrorCode(err) != NotFound:
			return User{}, false, err
		}
	}
	if len(taken) > 0 {
		old := taken[0]
		same := !slices.ContainsFunc(taken, func(x User) bool { return x.ID != old.ID }) && !old.IsAdmin && old.IsActive &&
			len(old.Memberships) == 1 && old.Memberships[0].DealerID == st.DealerID && !old.Memberships[0].IsAdmin &&
			(password == "" || bcrypt.CompareHashAndPassword([]byte(old.PasswordHash), []byte(password)) == nil)
		if !same {
			return User{}, false, &Error{Code: Invalid, Message: "the user is registered already", Fields: map[string]string{"email": MsgTaken}}
		}
		st.UserID = old.ID
		if err := s.store.PlaceStaff(ctx, &st); err != nil {
			return User{}, false, err
		}
		return old, false, nil
	}
	if password == "" {
		password = rand.Text() // nobody knows it: no login until an operator sets one
	}
	hash, err := hashPassword(password, s.passwordCost)
	if err != nil {
		return User{}, false, err
	}
	now := s.Now()
	u.ID, u.PublicID, u.PasswordHash, u.IsAdmin, u.IsActive, u.CreatedAt, u.ActivatedAt = 0, "", hash, false, true, now, &now
	u.Memberships = []Membership{{DealerID: st.DealerID}}
	u.Session = nil
	if err := s.store.RegisterUser(ctx, &u, &st); err != nil {
		return User{}, false, err
	}
	return u, true, nil
}

// DistinctStrings returns ss without repeats, in the order they first
// appear.
func DistinctStrings(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, v := range ss {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// mayAdminister reports (as Forbidden) whether p may not administer
// dealer id: its administrators, the installation's administrator and its
// API keys may.
func (s *Service) mayAdminister(ctx context.Context, p Principal, dealerID int64) error {
	if p.APIKeyID != 0 && p.CanSee(dealerID) {
		return nil
	}
	us, err := s.store.UsersByID(ctx, []int64{p.UserID})
	if err != nil {
		return err
	}
	if len(us) == 1 {
		u := us[0]
		if u.IsAdmin {
			return nil
		}
		for _, m := range u.Memberships {
			if m.DealerID == dealerID && m.IsAdmin {
				return nil
			}
		}
	}
	return ErrNotAdministrator
}

// ErrNotAdministrator answers an act only a dealer's administrator may do.
var ErrNotAdministrator = &Error{Code: Forbidden, Message: "only an administrator of the dealer may do this"}

// MsgTaken is the field message of a value another record has already (a
// username, an e-mail, a name unique at the dealer).
const MsgTaken = "taken"

// IsDealerAdministrator reports whether user id is an active administrator
// of dealer dealerID (or the installation's administrator, who may act for
// any dealer he belongs to).
func (s *Service) IsDealerAdministrator(ctx context.Context, userID, dealerID int64) (bool, error) {
	us, err := s.store.UsersByID(ctx, []int64{userID})
	if err != nil || len(us) == 0 {
		return false, err
	}
	u := us[0]
	if !u.IsActive || !u.hasDealer(dealerID) {
		return false, nil
	}
	if u.IsAdmin {
		return true, nil
	}
	for _, m := range u.Memberships {
		if m.DealerID == dealerID && m.IsAdmin {
			return true, nil
		}
	}
	return false, nil
}

// UserByLogin returns the user of one of the principal's dealers whose
// username or e-mail is login, case aside; anyone else is NotFound.
func (s *Service) UserByLogin(ctx context.Context, login string) (User, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return User{}, err
	}
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 4*MaxLoginLen {
		return User{}, errNotFound("user")
	}
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	for _, d := range u.DealerIDs() {
		if p.CanSee(d) {
			return u, nil
		}
	}
	return User{}, errNotFound("user")
}

// CreateLeadForm stores a web form of one of the principal's dealers
// (f.DealerID), authorised by one of its administrators (f.AuthorisedBy).
// Its source, campaign and business line must be the dealer's; a name
// taken at the dealer is Invalid (MsgTaken).
func (s *Service) CreateLeadForm(ctx context.Context, f LeadForm) (LeadForm, error) {
	normaliseTexts(&f) // text in NFC (text.go)
	out, _, err := s.saveLeadForm(ctx, f, false)
	return out, err
}

// SaveLeadForm is CreateLeadForm, except that a form of the same name at
// the dealer is updated (its id, public id, creator and creation time
// kept): Casabaca's create_landing_page creates or updates. created
// reports which.
func (s *Service) SaveLeadForm(ctx context.Context, f LeadForm) (out LeadForm, created bool, err error) {
	normaliseTexts(&f) // text in NFC (text.go)
	return s.saveLeadForm(ctx, f, true)
}

func (s *Service) saveLeadForm(ctx context.Context, f LeadForm, update bool) (LeadForm, bool, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return LeadForm{}, false, err
	}
	if !p.CanSee(f.DealerID) {
		return LeadForm{}, false, errNotFound("dealer")
	}
	fe := FieldErrors{}
	f.Name = strings.TrimSpace(f.Name)
	requiredText(fe, "name", f.Name, MaxShortText)
	checkLen(fe, "assign_position", f.AssignPosition, MaxShortText)
	checkLen(fe, "properties", f.Properties, MaxLongText)
	for k, v := range f.Ext {
		if !validExtKey(k) {
			fe.Add("ext."+k, MsgInvalid)
		}
		checkLen(fe, "ext."+k, v, MaxLongText)
	}
	o, err := s.store.Organisation(ctx, f.DealerID)
	if err != nil {
		return LeadForm{}, false, err
	}
	if srcs, err := s.store.SourcesByID(ctx, []int64{f.SourceID}); err != nil {
		return LeadForm{}, false, err
	} else if len(srcs) == 0 || srcs[0].DealerID != f.DealerID {
		fe.Add("source", MsgNotExist)
	}
	if f.CampaignID != nil {
		if _, ok := o.Campaign(*f.CampaignID); !ok {
			fe.Add("campaign", MsgNotExist)
		}
	}
	if f.BusinessLineID != nil {
		if _, ok := o.BusinessLine(*f.BusinessLineID); !ok {
			fe.Add("business_line", MsgNotExist)
		}
	}
	if f.AuthorisedBy == nil {
		fe.Add("authorised_by", MsgRequired)
	} else if ok, err := s.IsDealerAdministrator(ctx, *f.AuthorisedBy, f.DealerID); err != nil {
		return LeadForm{}, false, err
	} else if !ok {
		fe.Add("authorised_by", MsgNotExist)
	}
	old, exists := o.Form(f.Name)
	if exists && !update {
		fe.Add("name", MsgTaken)
	}
	if err := fe.Err(); err != nil {
		return LeadForm{}, false, err
	}
	f.Ext = maps.Clone(f.Ext)
	if exists {
		f.ID, f.PublicID, f.CreatedBy, f.CreatedAt = old.ID, old.PublicID, old.CreatedBy, old.CreatedAt
		return f, false, s.store.UpdateLeadForm(ctx, &f)
	}
	f.ID, f.PublicID, f.CreatedBy, f.CreatedAt = 0, "", p.UserRef(), s.Now()
	return f, true, s.store.CreateLeadForm(ctx, &f)
}
