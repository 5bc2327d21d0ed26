package core

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// normalisePhone returns phone in E.164, read as a number of the dealer's
// country when it has no country code; empty when it is not a number. With
// no dealer (or one without a country) only a number with its country code
// is read.
func (s *Service) normalisePhone(ctx context.Context, phone string, dealerID int64) string {
	if strings.TrimSpace(phone) == "" {
		return ""
	}
	region := ""
	if dealerID != 0 {
		if ds, err := s.store.DealersByID(ctx, []int64{dealerID}); err == nil && len(ds) == 1 {
			region = ds[0].Country
		}
	}
	return NormalisePhone(phone, region)
}

// NormalisePhone returns phone in E.164, read as a number of region (ISO
// 3166-1 alpha-2) when it has no country code; empty when it is not a valid
// number (one that may be assigned: a possible length is not enough, so
// that what is no phone never matches another client's). With region empty, only a number written with its country code
// ("+34 666…") is read. A number written with the region's country code
// but no "+" or international prefix ("573136434030" in Colombia) is read
// with it, when it is not a valid number of the region as it stands.
func NormalisePhone(phone, region string) string {
	return phones.normalise(phone, region)
}

// parsePhone is NormalisePhone without the memo (phonememo.go): the
// number parsed, by fastPhone where it can (phonefast.go).
func parsePhone(phone, region string) string {
	if e164, ok := fastPhone(phone, region); ok {
		return e164
	}
	return libParsePhone(phone, region)
}

// libParsePhone is parsePhone by libphonenumber's Parse alone, after
// dropping Unicode's format characters (the bidirectional marks a number
// copied from WhatsApp or a spreadsheet carries, "\u202a+57 313 643
// 4030\u202c"), which Parse does not. A number Parse does not read as
// valid is read again from its digits (separators aside) when they begin
// with "00", ITU's international prefix, though the region dials another
// (Colombia's is 00 and a carrier's digit: "0057 313 643 4030" is written
// for +57 313 643 4030), or with the region's country code.
func libParsePhone(phone, region string) string {
	phone = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, phone)
	if region == "" {
		region = "ZZ" // phonenumbers' unknown region: a country code is needed
	}
	n, err := phonenumbers.Parse(phone, region)
	if err == nil && phonenumbers.IsValidNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
			return -1
		}
		return 'x'
	}, strings.TrimSpace(phone))
	if strings.Contains(digits, "x") {
		return ""
	}
	var with string // the digits with their country code, after a "+"
	if cc := phonenumbers.GetCountryCodeForRegion(region); cc != 0 && strings.HasPrefix(digits, strconv.Itoa(cc)) {
		with = digits
	}
	if strings.HasPrefix(digits, "00") {
		with = digits[2:]
	}
	if with != "" {
		if m, err := phonenumbers.Parse("+"+with, region); err == nil && phonenumbers.IsValidNumber(m) {
			return phonenumbers.Format(m, phonenumbers.E164)
		}
	}
	return ""
}
