package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

// dateLayout is how the pages write a time, in the lead's dealer's zone.
const dateLayout = "02/01/2006 15:04"

// names resolves the ids a page shows to what it writes for them: users'
// names, sources' channel and origin, dealers' names and time zones.
type names struct {
	users   map[int64]core.User
	sources map[int64]string
	dealers map[int64]core.Dealer
	// a client's provinces and localities named in a lead's history
	provinces, localities map[int64]string
}

// lookUp reads the names of the users and sources given, and of the
// session's dealers, through the core (which drops what the principal may
// not see).
func (a *App) lookUp(ctx context.Context, s *session, userIDs, sourceIDs []int64) (names, error) {
	n := names{users: map[int64]core.User{}, sources: map[int64]string{}, dealers: map[int64]core.Dealer{}}
	for _, d := range s.Dealers {
		n.dealers[d.ID] = d
	}
	us, err := a.svc.UsersByID(ctx, userIDs)
	if err != nil {
		return names{}, err
	}
	for _, u := range us {
		n.users[u.ID] = u
	}
	srcs, err := a.svc.SourcesByID(ctx, sourceIDs)
	if err != nil || len(srcs) == 0 {
		return n, err
	}
	chans, err := a.svc.Channels(ctx)
	if err != nil {
		return names{}, err
	}
	originIDs := make([]int64, len(srcs))
	for i, src := range srcs {
		originIDs[i] = src.OriginID
	}
	origins, err := a.svc.OriginsByID(ctx, originIDs)
	if err != nil {
		return names{}, err
	}
	for _, src := range srcs {
		var parts []string
		for _, c := range chans {
			if c.ID == src.ChannelID {
				parts = append(parts, c.Name)
			}
		}
		for _, o := range origins {
			if o.ID == src.OriginID {
				parts = append(parts, o.Name)
			}
		}
		n.sources[src.ID] = strings.Join(parts, " · ")
	}
	return n, nil
}

// user is the name of user id; "" for none.
func (n names) user(id *int64) string {
	if id == nil {
		return ""
	}
	u, ok := n.users[*id]
	if !ok {
		return "#" + strconv.FormatInt(*id, 10)
	}
	return userName(u)
}

// date writes t in dealer's time zone; "" for the zero time.
func (n names) date(dealer int64, t time.Time) string {
	return dateIn(n.dealers[dealer], t)
}

// leadRow is one lead of the list.
type leadRow struct {
	ID, Created, Client, Phone, Vehicle, Source, Advisor, Dealer string
	Stage                                                        core.Stage
	Outcome                                                      core.Outcome
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// listData is what the leads page shows.
type listData struct {
	Search, Stage, Advisor string
	Stages                 []core.Stage
	Advisors               []option
	Rows                   []leadRow
	Total, Page, Pages     int
	Base                   url.Values // the filters, for the pages' links
	Path                   string     // the list's path, for the pages' links
	ManyDealers            bool
}

// leads serves the list of the dealer's leads, newest first: paged, with
// the core's search and filters by stage and assigned advisor.
func (a *App) leads(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	qs := r.URL.Query()
	d := listData{Search: strings.TrimSpace(qs.Get("q")), Stage: qs.Get("estado"), Advisor: qs.Get("asesor"),
		Stages: core.Stages, Page: 1, ManyDealers: len(s.Dealers) > 1, Base: url.Values{}, Path: "/app/leads"}
	members, err := a.members(ctx, s)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	d.Advisors = members
	bad := func(msg string) {
		a.render(w, r, "leads.html", http.StatusBadRequest, page{Session: s, Msg: msg, Data: d})
	}
	var where []core.Cond
	if msg := checkSearch(d.Search); msg != "" {
		d.Search = ""
		bad(msg)
		return
	} else if d.Search != "" {
		where = append(where, core.Match(d.Search))
		d.Base.Set("q", d.Search)
	}
	if d.Stage != "" {
		if !core.Stage(d.Stage).Valid() {
			d.Stage = ""
			bad("bad_stage")
			return
		}
		where = append(where, core.Eq("stage", d.Stage))
		d.Base.Set("estado", d.Stage)
	}
	switch d.Advisor {
	case "":
	case "ninguno":
		where = append(where, core.Cond{Op: core.OpExists, Field: "user", Value: false})
		d.Base.Set("asesor", d.Advisor)
	default:
		id, err := strconv.ParseInt(d.Advisor, 10, 64)
		if err != nil || !slices.ContainsFunc(members, func(o option) bool { return o.Value == d.Advisor }) {
			d.Advisor = ""
			bad("bad_advisor")
			return
		}
		where = append(where, core.Eq("user", id))
		d.Base.Set("asesor", d.Advisor)
	}
	var ok bool
	if d.Page, ok = pageOf(qs.Get("pagina")); !ok {
		bad("bad_page")
		return
	}
	leads, total, err := a.svc.FindLeads(ctx, core.Query{Where: core.And(where...), Offset: (d.Page - 1) * pageSize,
		Limit: pageSize, Total: true, Project: listFields})
	if err != nil {
		if core.ErrorCode(err) == core.Invalid {
			a.render(w, r, "leads.html", http.StatusBadRequest, page{Session: s, Msg: "invalid", Detail: coreMessage(err), Data: d})
			return
		}
		a.failure(w, r, s, err)
		return
	}
	d.Total = total
	d.Pages = min((total+pageSize-1)/pageSize, maxPage)
	if d.Rows, err = a.leadRows(ctx, s, leads); err != nil {
		a.failure(w, r, s, err)
		return
	}
	a.render(w, r, "leads.html", http.StatusOK, page{Session: s, Data: d})
}

// listFields are the fields of a lead the list shows: the store leaves out
// the rest (its notes and tasks, read for nothing otherwise: a quarter of
// the list's CPU, see docs/benchmarks.md "The web interface").
var listFields = []string{"id", "public_id", "dealer", "source", "stage", "outcome", "user", "created_at",
	"client.name", "client.phone", "vehicle.brand_model"}

// members lists the users of the session's dealers as the choices of an
// advisor filter, by name.
func (a *App) members(ctx context.Context, s *session) ([]option, error) {
	var out []option
	seen := map[int64]bool{}
	for _, d := range s.Dealers {
		us, err := a.svc.DealerMembers(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, option{Value: strconv.FormatInt(u.ID, 10), Label: userName(u)})
			}
		}
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}

// userName is how a page names u.
func userName(u core.User) string {
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		return name
	}
	return u.Username
}

// leadRows are the rows of a table of leads (the list, a client's page),
// with their users' and sources' names.
func (a *App) leadRows(ctx context.Context, s *session, leads []core.Lead) ([]leadRow, error) {
	var userIDs, sourceIDs []int64
	for _, l := range leads {
		if l.UserID != nil {
			userIDs = append(userIDs, *l.UserID)
		}
		sourceIDs = append(sourceIDs, l.SourceID)
	}
	n, err := a.lookUp(ctx, s, userIDs, sourceIDs)
	if err != nil {
		return nil, err
	}
	rows := make([]leadRow, 0, len(leads))
	for _, l := range leads {
		row := leadRow{ID: l.PublicID, Created: n.date(l.DealerID, l.CreatedAt), Source: n.sources[l.SourceID],
			Advisor: n.user(l.UserID), Dealer: n.dealers[l.DealerID].Name, Stage: l.Stage, Outcome: l.Outcome}
		if row.ID == "" {
			row.ID = strconv.FormatInt(l.ID, 10)
		}
		if l.Client != nil {
			row.Client, row.Phone = l.Client.Name, l.Client.Phone
		}
		if l.Vehicle != nil {
			row.Vehicle = l.Vehicle.BrandModel
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// checkSearch is the message code refusing the search box's text q; ""
// when it may be searched.
func checkSearch(q string) string {
	switch {
	case len(q) > 4*maxSearch || utf8.RuneCountInString(q) > maxSearch:
		return "search_too_long"
	case !utf8.ValidString(q):
		return "bad_search"
	}
	return ""
}

// pageOf reads a list's page number, 1 when none is given; false when it
// is not one of 1 to maxPage.
func pageOf(p string) (int, bool) {
	if p == "" {
		return 1, true
	}
	n, err := strconv.Atoi(p)
	return n, err == nil && n >= 1 && n <= maxPage
}
