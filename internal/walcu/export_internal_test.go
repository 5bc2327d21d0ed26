package walcu

import "testing"

// LimitOf is limitOf, for the package's tests.
var LimitOf = limitOf

// SetExportPage sets the documents an export job reads at once, and
// what it calls between two pages, until the test ends.
func SetExportPage(t testing.TB, n int, between func()) {
	old, oldPaged := exportPage, exportPaged
	exportPage, exportPaged = n, between
	t.Cleanup(func() { exportPage, exportPaged = old, oldPaged })
}
