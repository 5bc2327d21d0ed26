package core

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// fastPhone is parsePhone for the two forms most numbers come in, ASCII
// digits alone ("666777888", read as a number of region) and "+" followed
// by them ("+34666777888"), without phonenumbers.Parse: Parse runs some
// ten regular expressions over the text (the extension's, the viable
// number's, the region's international and national prefixes'), about
// three quarters of a new number's parse and 6 % of the server's CPU per
// created lead (docs/benchmarks.md, "Lead creation: the server's own
// CPU"). For these forms those steps provably change nothing, under the
// conditions checked below; the number is then built as Parse builds it,
// and validated and formatted by libphonenumber as parsePhone does. ok is
// false where a condition fails: parsePhone decides. TestFastPhoneIsTheParse
// holds the answers equal to parsePhone's on every region's numbers.
//
// The conditions, step by step of Parse (phonenumbers' parseHelper):
//   - digits alone carry no extension, no RFC 3966 part, nothing
//     extractPossibleNumber strips, and are a viable number from 3 digits;
//   - "+digits": the country code is the first 1–3 digits that are one
//     (extractCountryCode); none is left to parsePhone (Parse retries
//     without the "+");
//   - digits alone with region: the region's international prefix is not
//     stripped when every match of its pattern begins with "0" and the
//     digits do not; the region's country code at their start is left to
//     parsePhone (Parse weighs stripping it, and parsePhone retries with it);
//   - the national prefix is not stripped when the region (of the country
//     code, after "+") has none for parsing, or every match of its pattern
//     begins with "0" and the national number does not;
//   - a national number beginning with "0" (Italy's leading zeros) is left
//     to parsePhone.
func fastPhone(phone, region string) (e164 string, ok bool) {
	plus := len(phone) > 0 && phone[0] == '+'
	digits := phone
	if plus {
		digits = phone[1:]
	}
	if len(digits) < 3 || len(digits) > 17 {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	var cc int
	var national string
	var meta *phoneMeta
	if plus {
		for i := 1; i <= 3 && i < len(digits); i++ {
			c, _ := strconv.Atoi(digits[:i])
			if r := phonenumbers.GetRegionCodeForCountryCode(c); r != "ZZ" && digits[0] != '0' {
				cc, national = c, digits[i:]
				meta = phoneMetas().of(r, c)
				break
			}
		}
		if meta == nil {
			return "", false
		}
	} else {
		meta = phoneMetas().of(region, 0)
		if meta == nil || !meta.iddStartsWithZero || digits[0] == '0' || hasPrefix(digits, meta.ccText) {
			return "", false
		}
		cc, national = meta.cc, digits
	}
	if len(national) < 2 || national[0] == '0' || !meta.npSafe {
		return "", false
	}
	nn, err := strconv.ParseUint(national, 10, 64)
	if err != nil {
		return "", false
	}
	cc32 := int32(cc)
	n := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
	if !phonenumbers.IsValidNumber(n) {
		return "", true
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// phoneMeta is what fastPhone needs of a region's metadata.
type phoneMeta struct {
	cc                int
	ccText            string
	iddStartsWithZero bool // every match of the international prefix begins with "0"
	npSafe            bool // no national prefix for parsing, or every match of it begins with "0"
}

type phoneMetaTable struct {
	regions map[string]*phoneMeta // by region (ISO 3166-1 alpha-2)
	nonGeo  map[int]*phoneMeta    // the non-geographical entities ("001") by country code
}

func (t *phoneMetaTable) of(region string, cc int) *phoneMeta {
	if region == "001" {
		return t.nonGeo[cc]
	}
	return t.regions[region]
}

// phoneMetas reads the table from libphonenumber's metadata once.
var phoneMetas = sync.OnceValue(func() *phoneMetaTable {
	t := &phoneMetaTable{regions: map[string]*phoneMeta{}, nonGeo: map[int]*phoneMeta{}}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return t // no fast path: parsePhone decides every number
	}
	for _, md := range coll.GetMetadata() {
		m := &phoneMeta{
			cc:                int(md.GetCountryCode()),
			iddStartsWithZero: startsWithZero(md.GetInternationalPrefix()),
			npSafe:            md.GetNationalPrefixForParsing() == "" || startsWithZero(md.GetNationalPrefixForParsing()),
		}
		m.ccText = strconv.Itoa(m.cc)
		if md.GetId() == "001" {
			t.nonGeo[m.cc] = m
		} else {
			t.regions[md.GetId()] = m
		}
	}
	return t
})

// startsWithZero tells whether every match of the pattern begins with
// "0": its literal prefix (what every match begins with) does.
func startsWithZero(pattern string) bool {
	re, err := regexp.Compile("(?:" + pattern + ")")
	if err != nil {
		return false
	}
	p, _ := re.LiteralPrefix()
	return len(p) > 0 && p[0] == '0'
}
