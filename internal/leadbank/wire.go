// Package leadbank serves the lead bank's pull API (an ASP.NET Web API:
// PascalCase JSON in a Status/Message envelope) over core.Service: a
// consumer pulls its dealer's leads that are ready to be sent (POST
// api/leads), confirms their reception (ValidateGetLeads) and reports its
// later events on them (SendAcknos). See docs/leadbank.md.
package leadbank

// The document's types, field for field ("Response Information").

// Response is the envelope of every answer: LeadResponse in the document.
// Status is StatusOK, StatusPartial or StatusError; Message says what
// happened in words.
type Response struct {
	Status  int     `json:"Status"`
	Message string  `json:"Message"`
	Leads   []Lead  `json:"Leads"`
	Results *Result `json:"Results,omitempty"`
}

// The values of Response.Status.
const (
	// StatusError: nothing was done; Message says why.
	StatusError = 0
	// StatusOK: the call did all it was asked.
	StatusOK = 1
	// StatusPartial: a confirmation or events call named leads it could
	// not act on; Results lists them, and nothing changed for them.
	StatusPartial = 2
)

// Result says, for ValidateGetLeads and SendAcknos, what happened to each
// IDLeadBank named: forecourt's addition to the envelope, since the
// document shows no answer of those calls.
type Result struct {
	Confirmed        []int64 `json:"Confirmed,omitempty"`        // ValidateGetLeads: now received
	AlreadyConfirmed []int64 `json:"AlreadyConfirmed,omitempty"` // ValidateGetLeads: had been confirmed before
	Recorded         []int64 `json:"Recorded,omitempty"`         // SendAcknos: leads whose events were recorded
	NotHanded        []int64 `json:"NotHanded"`                  // ready for the caller, never handed to it: nothing done
	Unknown          []int64 `json:"Unknown"`                    // no lead the caller was ever to get: nothing done
}

// Lead is one lead handed out.
type Lead struct {
	IDLeadBank        int64     `json:"IDLeadBank"`
	IDProvider        int64     `json:"IDprovider"`
	NameProvider      string    `json:"NameProvider"`
	IDService         int64     `json:"IDService"`
	NameService       string    `json:"NameService"`
	State             int       `json:"State"`
	IDCampaign        string    `json:"IDCampaign"`
	NameCampaign      string    `json:"NameCampaign"`
	BandDealerID      string    `json:"BandDealerID"`
	ExternalLeadID    string    `json:"ExternalLeadID"`
	QualificationDate string    `json:"QualificationDate"`
	CreateDate        string    `json:"CreateDate"`
	Contents          []Content `json:"Contents"`
}

// The values of Lead.State: where the lead stands for the caller.
const (
	StateReady      = 0 // ready to be sent
	StateInProgress = 1 // handed out, not confirmed: every lead of a pull
	StateReceived   = 2 // confirmed
)

// Content is one key/value of a lead's data.
type Content struct {
	ID    int    `json:"ID"`
	Key   string `json:"Key"`
	Value string `json:"Value"`
	Type  int    `json:"Type"`
}

// The values of Content.Type: what the content is about.
const (
	TypeClient  = 1 // the client: name, phone, e-mail, province, locality
	TypeVehicle = 2 // the vehicle of interest
	TypeComment = 3 // a note or tag written on the lead, the message it came with
	TypeLead    = 4 // the lead itself: its stage, score, assigned user
)

// Ack is one element of SendAcknos' body: the caller's events on one lead.
type Ack struct {
	IDLeadBank int64       `json:"IDLeadBank"`
	LeadEvents []LeadEvent `json:"LeadEvents"`
}

// LeadEvent is one event the caller reports on a lead.
type LeadEvent struct {
	IDStatus   int64  `json:"IDstatus"`
	IDReason   int64  `json:"IDreason"`
	DateAction string `json:"DateAction"`
}
