package core

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestFastPhoneIsTheParse: where fastPhone answers, its answer is
// libphonenumber's Parse's (libParsePhone), for tricky numbers of the
// dealers' countries and for random digits in every region libphonenumber
// knows, written as national digits, with the region's country code, with
// "0" and "00" before them, and after "+" and every country code.
func TestFastPhoneIsTheParse(t *testing.T) {
	answered := 0
	check := func(phone, region string) {
		t.Helper()
		got, ok := fastPhone(phone, region)
		if !ok {
			return
		}
		answered++
		if want := libParsePhone(phone, region); got != want {
			t.Fatalf("fastPhone(%q, %q) = %q, Parse's answer %q", phone, region, got, want)
		}
	}
	tricky := []string{
		"666777888", "612345678", "912345678", "34666777888", "+34666777888", "0034666777888", "666777888999",
		"3136434030", "573136434030", "+573136434030", "03136434030", "6012345678", "16012345678",
		"987519882", "0987519882", "593987519882", "+593987519882", "22345678",
		"2025550123", "12025550123", "+12025550123", "0112025550123", "8005550123",
		"0612345678", "+390612345678", "3123456789", "+393123456789", "+442071234567", "+4407123456789",
		"+5491123456789", "91123456789", "+522221234567", "+8612345678901", "+80012345678", "+882123456789",
		"+0123456789", "+999123456789", "123", "+123", "12", "+1", "99999999999999999", "+99999999999999999",
	}
	regions := []string{"ES", "CO", "EC", "MX", "PE", "CL", "AR", "US", "GB", "IT", "PT", "FR", "DE", "BR", "", "ZZ"}
	for _, p := range tricky {
		for _, r := range regions {
			check(p, r)
		}
	}

	rnd := rand.New(rand.NewPCG(8, 8))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rnd.IntN(10))
		}
		return string(b)
	}
	all := slices.Sorted(func(yield func(string) bool) {
		for r := range phonenumbers.GetSupportedRegions() {
			if !yield(r) {
				return
			}
		}
	})
	for _, r := range all {
		cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(r))
		for range 12 {
			d := digits(3 + rnd.IntN(12))
			for _, p := range []string{d, cc + d, "0" + d, "00" + d, "+" + cc + d, "+" + d} {
				check(p, r)
			}
			// a valid number of the region, as E.164 and as national digits
			if ex := phonenumbers.GetExampleNumber(r); ex != nil {
				nsn := phonenumbers.GetNationalSignificantNumber(ex)
				check(nsn, r)
				check("+"+cc+nsn, r)
				check("+"+cc+nsn, "")
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		for range 12 {
			check("+"+strconv.Itoa(cc)+digits(6+rnd.IntN(8)), "ES")
		}
		if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil {
			check(phonenumbers.Format(ex, phonenumbers.E164), "")
		}
	}
	// the fast path is taken, and for fcload's Spanish mobiles and E.164
	if answered < 10000 {
		t.Fatalf("fastPhone answered %d numbers only", answered)
	}
	for _, p := range []string{"666777888", "+34666777888", "+573136434030"} {
		if _, ok := fastPhone(p, "ES"); !ok {
			t.Errorf("fastPhone(%q, ES) leaves it to Parse", p)
		}
	}
}

// BenchmarkParsePhone: a new Spanish mobile, by fastPhone and by Parse.
func BenchmarkParsePhone(b *testing.B) {
	for _, c := range []struct {
		name  string
		parse func(string, string) string
	}{{"fast", parsePhone}, {"libphonenumber", libParsePhone}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if c.parse("6"+strconv.Itoa(10000000+i%80000000), "ES") == "" {
					b.Fatal("not a number")
				}
			}
		})
	}
}
