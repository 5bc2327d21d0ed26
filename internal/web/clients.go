package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"forecourt/internal/core"
)

// The dealer's clients: a list searched with the core's client search
// (FindClients, core.Match: name, phone, e-mail, province, locality) and
// a client's page with its leads. Its contact data are edited on a page
// of their own (clientedit.go).

// clientLeads bounds the leads a client's page lists, newest first.
const clientLeads = 100

// clientRow is one client of the list.
type clientRow struct {
	ID, Name, Phone, Email, Dealer, Created string
}

// clientsData is what the clients page shows.
type clientsData struct {
	Search             string
	Rows               []clientRow
	Total, Page, Pages int
	Base               url.Values // the search, for the pages' links
	Path               string     // the list's path, for the pages' links
	ManyDealers        bool
}

// clients serves the list of the dealer's clients by name, paged, with the
// core's client search.
func (a *App) clients(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	qs := r.URL.Query()
	d := clientsData{Search: strings.TrimSpace(qs.Get("q")), Page: 1, ManyDealers: len(s.Dealers) > 1, Base: url.Values{}, Path: "/app/clientes"}
	bad := func(msg, detail string) {
		a.render(w, r, "clients.html", http.StatusBadRequest, page{Session: s, Msg: msg, Detail: detail, Data: d})
	}
	var where []core.Cond
	if msg := checkSearch(d.Search); msg != "" {
		d.Search = ""
		bad(msg, "")
		return
	} else if d.Search != "" {
		where = append(where, core.Match(d.Search))
		d.Base.Set("q", d.Search)
	}
	var ok bool
	if d.Page, ok = pageOf(qs.Get("pagina")); !ok {
		bad("bad_page", "")
		return
	}
	cs, total, err := a.svc.FindClients(ctx, core.Query{Where: core.And(where...), Offset: (d.Page - 1) * pageSize, Limit: pageSize,
		Total: true, Sort: []core.Sort{{Field: "name"}, {Field: "id"}}})
	if err != nil {
		if core.ErrorCode(err) == core.Invalid {
			bad("invalid", coreMessage(err))
			return
		}
		a.failure(w, r, s, err)
		return
	}
	d.Total, d.Pages = total, min((total+pageSize-1)/pageSize, maxPage)
	n := names{dealers: map[int64]core.Dealer{}}
	for _, dl := range s.Dealers {
		n.dealers[dl.ID] = dl
	}
	for _, c := range cs {
		d.Rows = append(d.Rows, clientRow{ID: clientPath(c), Name: c.Name, Phone: c.Phone, Email: c.Email,
			Dealer: n.dealers[c.DealerID].Name, Created: n.date(c.DealerID, c.CreatedAt)})
	}
	a.render(w, r, "clients.html", http.StatusOK, page{Session: s, Data: d})
}

// clientPath is the id a link to c's page uses: its public one.
func clientPath(c core.Client) string {
	if c.PublicID != "" {
		return c.PublicID
	}
	return strconv.FormatInt(c.ID, 10)
}

// clientData is what a client's page shows.
type clientData struct {
	Client      core.Client
	Path        string // the client's id as the page was asked it
	Dealer      string
	Created     string
	Place       string    // its locality and province, by name
	Rows        []leadRow // its leads, newest first
	LeadsTotal  int
	ManyDealers bool
}

// client serves a client's page: its data and its leads, newest first.
// Another dealer's client is the same 404 as one that does not exist.
func (a *App) client(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	id, err := a.resolveID(ctx, core.RecordClient, r.PathValue("id"))
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	c, err := a.svc.FindClient(ctx, id)
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	leads, total, err := a.svc.FindLeads(ctx, core.Query{Where: core.Eq("client", c.ID), Limit: clientLeads, Total: true, Project: listFields})
	if err != nil {
		a.failure(w, r, s, err)
		return
	}
	d := clientData{Client: c, Path: r.PathValue("id"), LeadsTotal: total, ManyDealers: len(s.Dealers) > 1}
	for _, dl := range s.Dealers {
		if dl.ID == c.DealerID {
			d.Dealer = dl.Name
			d.Created = c.CreatedAt.In(dl.Location()).Format(dateLayout)
		}
	}
	if d.Place, err = a.placeOf(ctx, c); err != nil {
		a.failure(w, r, s, err)
		return
	}
	if d.Rows, err = a.leadRows(ctx, s, leads); err != nil {
		a.failure(w, r, s, err)
		return
	}
	done := ""
	if r.URL.Query().Get("hecho") == "cliente" {
		done = "cliente" // only the code is read: the URL cannot inject a message
	}
	a.render(w, r, "client.html", http.StatusOK, page{Session: s, Data: d, Done: done})
}

// placeOf is c's locality and province by name ("Getafe (Madrid)"), ""
// when it has neither; two lookups only when it has them.
func (a *App) placeOf(ctx context.Context, c core.Client) (string, error) {
	var provinceIDs, localityIDs []int64
	if c.ProvinceID != nil {
		provinceIDs = []int64{*c.ProvinceID}
	}
	if c.LocalityID != nil {
		localityIDs = []int64{*c.LocalityID}
	}
	var n names
	if err := a.lookUpPlaces(ctx, &n, provinceIDs, localityIDs); err != nil {
		return "", err
	}
	var locality, province string
	for _, name := range n.localities {
		locality = name
	}
	for _, name := range n.provinces {
		province = name
	}
	switch {
	case locality != "" && province != "":
		return locality + " (" + province + ")", nil
	case locality != "":
		return locality, nil
	}
	return province, nil
}
