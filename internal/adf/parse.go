package adf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Bounds of a document (docs/adf.md, "Bounds").
const (
	maxBody      = 256 << 10 // bytes
	maxDepth     = 16        // nested elements
	maxElements  = 4000      // elements of one document
	maxProspects = 10        // prospects of one document
)

// errBadInput is a document refused as it is: its message says why.
type errBadInput struct{ msg string }

func (e *errBadInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return &errBadInput{msg: fmt.Sprintf(format, args...)} }

// charsetReader reads the encodings a document may declare besides
// UTF-8: ISO-8859-1 (Latin-1) and windows-1252.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	}
	return nil, bad("encoding %q is not accepted (UTF-8, ISO-8859-1 or windows-1252)", label)
}

func newDecoder(body []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charsetReader
	return d
}

// Parse reads an ADF document: well-formed XML in an accepted encoding,
// with no DOCTYPE (no entities of its own), at most maxDepth elements
// deep and maxElements in all, whose root is <adf> with 1 to maxProspects
// prospects. Any other is an *errBadInput naming what is wrong.
func Parse(body []byte) (Document, error) {
	if len(body) > maxBody {
		return Document{}, bad("the document is larger than %d bytes", maxBody)
	}
	// a first pass bounds the document before it is decoded into types
	d := newDecoder(body)
	depth, elements := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var be *errBadInput
			if errors.As(err, &be) {
				return Document{}, be
			}
			return Document{}, bad("malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return Document{}, bad("a DOCTYPE or other declaration is not accepted")
		case xml.StartElement:
			depth++
			elements++
			if depth > maxDepth {
				return Document{}, bad("the document is nested deeper than %d elements", maxDepth)
			}
			if elements > maxElements {
				return Document{}, bad("the document has more than %d elements", maxElements)
			}
			if elements == 1 && t.Name.Local != "adf" {
				return Document{}, bad("the root element is <%s>, not <adf>", t.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	if elements == 0 {
		return Document{}, bad("malformed XML: no root element")
	}
	var doc Document
	if err := newDecoder(body).Decode(&doc); err != nil {
		return Document{}, bad("malformed XML: %v", err)
	}
	switch n := len(doc.Prospects); {
	case n == 0:
		return Document{}, bad("the document has no <prospect>")
	case n > maxProspects:
		return Document{}, bad("the document has %d prospects; at most %d are accepted", n, maxProspects)
	}
	return doc, nil
}
