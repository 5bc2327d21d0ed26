package core

import (
	"context"
	"strconv"
	"strings"

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

// libParsePhone is parsePhone by libphonenumber's Parse alone.
func libParsePhone(phone, region string) string {
	if region == "" {
		region = "ZZ" // phonenumbers' unknown region: a country code is needed
	}
	n, err := phonenumbers.Parse(phone, region)
	if err == nil && phonenumbers.IsValidNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	if cc := phonenumbers.GetCountryCodeForRegion(region); cc != 0 {
		digits := strings.Map(func(r rune) rune {
			switch {
			case r >= '0' && r <= '9':
				return r
			case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
				return -1
			}
			return 'x'
		}, strings.TrimSpace(phone))
		if !strings.Contains(digits, "x") && strings.HasPrefix(digits, strconv.Itoa(cc)) {
			if m, err := phonenumbers.Parse("+"+digits, region); err == nil && phonenumbers.IsValidNumber(m) {
				return phonenumbers.Format(m, phonenumbers.E164)
			}
		}
	}
	return ""
}
