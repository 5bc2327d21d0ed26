package walcu

import (
	"net/http"

	"forecourt/internal/core"
)

// backendsFor returns the backend of every collection: the core's records
// where the core has a meaning for them, core documents otherwise.
func backendsFor(svc *core.Service) map[string]backend {
	out := map[string]backend{}
	for _, name := range collectionNames {
		c := collections[name]
		switch name {
		case "saleleads":
			out[name] = newLeadBackend(svc, c, core.LeadSale)
		case "aftersaleleads":
			out[name] = newLeadBackend(svc, c, core.LeadAftersale)
		case "appraisalleads":
			out[name] = newLeadBackend(svc, c, core.LeadAppraisal)
		case "clients":
			out[name] = &clientBackend{svc: svc, coll: c}
		case "dates":
			out[name] = &dateBackend{svc: svc, coll: c}
		case "tasks":
			out[name] = &taskBackend{svc: svc, coll: c, ext: itemExt{svc: svc, name: "walcu.tasks"}}
		case "notes":
			out[name] = &noteBackend{svc: svc, coll: c, ext: itemExt{svc: svc, name: "walcu.notes"}}
		case "conferences", "sms", "chatmessages", "whatsappmessages":
			out[name] = newCommBackend(svc, c)
		case "contacts":
			out[name] = pending{c}
		default:
			out[name] = newDocBackend(svc, c)
		}
	}
	return out
}

// pending answers 501 for a collection not served yet.
type pending struct{ coll *collection }

func (p pending) err() error {
	return &apiError{Body: Body{Status: http.StatusNotImplemented, Code: "not_implemented", Message: p.coll.name + " is not served yet"}}
}

func (p pending) get(*request, string) (doc, error)                { return nil, p.err() }
func (p pending) create(*request, doc) (doc, error)                { return nil, p.err() }
func (p pending) replace(*request, string, doc, int) (doc, error)  { return nil, p.err() }
func (p pending) remove(*request, string) error                    { return p.err() }
func (p pending) find(*request, core.Query) ([]doc, error)         { return nil, p.err() }
func (p pending) group(*request, core.Query) ([]core.Group, error) { return nil, p.err() }
func (p pending) field(*request, string) (qfield, error)           { return qfield{}, p.err() }
