package core

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestPhoneMemoIsTheParse: the memo answers what parsing answers, for
// numbers of every kind asked in any order and again after they were
// pushed out; it holds at most two generations, keeps what is asked again
// and forgets what is not.
func TestPhoneMemoIsTheParse(t *testing.T) {
	m := newPhoneMemo(4)
	inputs := []string{"573136434030", "+57 313 643 4030", "3136434030", "666 777 888", "+34666777888", "0034 666777888",
		"0987519882", "+593 98 751 9882", "", "  ", "+", "not a phone", "6\x00", "１２３", "+34 612 34 56 78 ext. 9",
		"123456789012345678901234567890123456789012345"} // longer than maxMemoPhone
	regions := []string{"CO", "ES", "EC", "", "ZZ", "XXXX"}
	for round := range 3 {
		for i := range inputs {
			for j := range regions {
				phone, region := inputs[(i+round)%len(inputs)], regions[(j+round)%len(regions)]
				if got, want := m.normalise(phone, region), parsePhone(phone, region); got != want {
					t.Fatalf("round %d: memo(%q, %q) = %q, parsed %q", round, phone, region, got, want)
				}
				if len(m.cur) > 4 || len(m.old) > 4 {
					t.Fatalf("generations of %d and %d numbers, want at most 4", len(m.cur), len(m.old))
				}
			}
		}
	}

	m = newPhoneMemo(4)
	held := func(phone string) bool {
		k := phoneKey{phone, "ES"}
		_, inCur := m.cur[k]
		_, inOld := m.old[k]
		return inCur || inOld
	}
	num := func(i int) string { return fmt.Sprintf("6660000%02d", i) }
	for i := range 5 { // the fifth starts a generation: 0–3 are the older
		m.normalise(num(i), "ES")
	}
	m.normalise(num(0), "ES") // asked again: moves to the newer
	for i := 5; i < 8; i++ {  // fills the newer (4, 0, 5, 6), 7 starts another
		m.normalise(num(i), "ES")
	}
	for i, want := range []bool{true, false, false, false, true, true, true, true} {
		if held(num(i)) != want {
			t.Errorf("%s held %v, want %v", num(i), !want, want)
		}
	}
	long := inputs[len(inputs)-1]
	m.normalise(long, "ES")
	if held(long) {
		t.Error("a number longer than maxMemoPhone remembered")
	}
}

// TestPhoneMemoCopiesKeys: a number cut from a larger text (a query
// string up to the header limit) is remembered as a copy, so that the memo
// never keeps the larger text alive: its entries hold at most
// maxMemoPhone bytes each.
func TestPhoneMemoCopiesKeys(t *testing.T) {
	big := strings.Repeat("x", 64<<10) + "+34600111222"
	phone := big[len(big)-len("+34600111222"):]
	m := newPhoneMemo(4)
	m.normalise(phone, "ES")
	if len(m.cur) != 1 {
		t.Fatalf("%d numbers remembered, want 1", len(m.cur))
	}
	lo, hi := uintptr(unsafe.Pointer(unsafe.StringData(big))), uintptr(unsafe.Pointer(unsafe.StringData(big)))+uintptr(len(big))
	for k := range m.cur {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(k.phone))); p >= lo && p < hi {
			t.Error("the memo keeps the text the number was cut from")
		}
	}
}
