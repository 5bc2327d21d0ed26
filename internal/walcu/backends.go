package walcu

import (
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
			out[name] = &contactBackend{svc: svc, coll: c}
		case "cars":
			out[name] = newVehicleBackend(svc, c, core.VehicleStock)
		case "clientvehicles":
			out[name] = newVehicleBackend(svc, c, core.VehicleOwned)
		default:
			out[name] = newDocBackend(svc, c)
		}
		out[name] = withComputed(out[name], c) // every computed field (computedgaps.go)
	}
	return out
}
