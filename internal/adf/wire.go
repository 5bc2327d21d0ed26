// Package adf serves ADF/XML lead intake (Auto-lead Data Format 1.0, the
// car industry's XML lead format: POST /adf, a Bearer credential) over
// core.Service.IntakeLead. See docs/adf.md.
package adf

import "encoding/xml"

// Document is an ADF document: <?adf version="1.0"?><adf>…</adf>, one or
// more prospects (at most maxProspects are taken).
type Document struct {
	XMLName   xml.Name   `xml:"adf"`
	Prospects []Prospect `xml:"prospect"`
}

// Prospect is one lead: what the customer asks about, who they are, the
// dealer it is for (vendor) and who sent it (provider).
type Prospect struct {
	// Status is "new" or "resend": a resend names a prospect sent before
	// by its id, and is answered as that one (the id decides, not this).
	Status string `xml:"status,attr"`
	// IDs are the ids the prospect's senders gave it; the first, with its
	// source, names the lead (core.LeadRef).
	IDs         []ID      `xml:"id"`
	RequestDate string    `xml:"requestdate"`
	Vehicles    []Vehicle `xml:"vehicle"`
	Customer    Customer  `xml:"customer"`
	Vendor      Vendor    `xml:"vendor"`
	Provider    Provider  `xml:"provider"`
}

// ID is a sender's id of a prospect: <id sequence="1" source="Portal">ABC</id>.
type ID struct {
	Sequence string `xml:"sequence,attr"`
	Source   string `xml:"source,attr"`
	Value    string `xml:",chardata"`
}

// Vehicle is a vehicle the prospect is about: interest says how (buy,
// lease, sell, trade-in, test-drive; buy when absent), status whether it
// is new or used.
type Vehicle struct {
	Interest string `xml:"interest,attr"`
	Status   string `xml:"status,attr"`
	Year     string `xml:"year"`
	Make     string `xml:"make"`
	Model    string `xml:"model"`
	VIN      string `xml:"vin"`
	Stock    string `xml:"stock"`
	Trim     string `xml:"trim"`
	Odometer Amount `xml:"odometer"`
	Price    Amount `xml:"price"`
	Comments string `xml:"comments"`
}

// Amount is an element holding a number, with its attributes (units,
// currency, type) read but not used.
type Amount struct {
	Units    string `xml:"units,attr"`
	Currency string `xml:"currency,attr"`
	Type     string `xml:"type,attr"`
	Value    string `xml:",chardata"`
}

// Customer is the person the lead is about.
type Customer struct {
	Contact  Contact `xml:"contact"`
	Comments string  `xml:"comments"`
}

// Contact is a person's name, e-mail, phones and address.
type Contact struct {
	Names   []Name   `xml:"name"`
	Emails  []string `xml:"email"`
	Phones  []Phone  `xml:"phone"`
	Address Address  `xml:"address"`
}

// Name is one part of a name: part="first", "middle", "last" or "full".
type Name struct {
	Part  string `xml:"part,attr"`
	Value string `xml:",chardata"`
}

// Phone is a phone number of a type (voice, cellphone, fax, pager).
type Phone struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// Address is a postal address.
type Address struct {
	Streets    []string `xml:"street"`
	City       string   `xml:"city"`
	RegionCode string   `xml:"regioncode"`
	PostalCode string   `xml:"postalcode"`
	Country    string   `xml:"country"`
}

// Vendor is the dealer the sender meant the lead for. It is read and
// kept, and changes nothing: the lead goes to the credential's dealer.
type Vendor struct {
	VendorName string  `xml:"vendorname"`
	Contact    Contact `xml:"contact"`
}

// Provider is who sent the lead (a portal, a marketing service).
type Provider struct {
	Names   []Name  `xml:"name"`
	Service string  `xml:"service"`
	URL     string  `xml:"url"`
	Email   string  `xml:"email"`
	Phone   []Phone `xml:"phone"`
}

// result is the answer to an intake: one element per prospect, in order.
type result struct {
	XMLName   xml.Name         `xml:"result"`
	Prospects []resultProspect `xml:"prospect"`
}

type resultProspect struct {
	ID     string `xml:"id,attr"`
	Status string `xml:"status,attr"` // created, existing
}

// errorBody is every answer that is not a result.
type errorBody struct {
	XMLName xml.Name `xml:"error"`
	Message string   `xml:"message"`
}
