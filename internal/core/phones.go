package core

import (
	"context"
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
// number. With region empty, only a number written with its country code
// ("+34 666…") is read.
func NormalisePhone(phone, region string) string {
	if region == "" {
		region = "ZZ" // phonenumbers' unknown region: a country code is needed
	}
	n, err := phonenumbers.Parse(phone, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}
