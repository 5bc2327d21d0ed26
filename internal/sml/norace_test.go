//go:build !race

package sml

// raceEnabled: the race detector slows some tests down enough to shorten
// them.
const raceEnabled = false
