package core

// Keyset asks a store for the page that follows a position in a list's
// order, rather than for an Offset: the store continues after the sort
// key and id of the previous page's last record, so that reading a whole
// list page by page costs the database the list once (an Offset makes it
// skip every earlier row again, page after page), and a record inserted
// or deleted before the position while the list is read neither shifts
// nor repeats the rest.
//
// A caller sets Query.Keyset to a Keyset with After nil for the first
// page and Query.Offset to 0; the store sets Next to the key of the
// page's last record (left as it was when the page is empty), which the
// caller passes as After for the next page. A key is the store's (the
// values of the order's expressions and the id): callers hand it back
// and do not read it. A record whose sort key changes while the list is
// read may be read again, or not at all, when the change moves it across
// the position (docs/decisions.md, "Keyset pages").
type Keyset struct {
	After []any
	Next  []any
}
