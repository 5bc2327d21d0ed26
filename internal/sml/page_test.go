package sml

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestPageSizeAllIsBounded(t *testing.T) {
	pq, err := parsePage(url.Values{"page_size": {"all"}})
	if err != nil || pq.size != maxAllPageSize || pq.page != 1 {
		t.Fatalf("page_size=all = %+v, %v", pq, err)
	}
	r := httptest.NewRequest("GET", "http://example.com/api/lead/?page_size=all&status=new", nil)

	// up to the bound: one page, no links, as the document describes
	p, err := pageOf(r, pq, maxAllPageSize, []int{})
	if err != nil || p.Next != nil || p.Previous != nil {
		t.Errorf("all within bound: next %v previous %v, %v", p.Next, p.Previous, err)
	}
	// beyond it: next keeps page_size=all and the filters
	p, err = pageOf(r, pq, maxAllPageSize*2+1, []int{})
	if err != nil || p.Next == nil {
		t.Fatalf("all beyond bound: %+v, %v", p, err)
	}
	next, _ := url.Parse(*p.Next)
	if q := next.Query(); q.Get("page") != "2" || q.Get("page_size") != "all" || q.Get("status") != "new" {
		t.Errorf("next = %s", *p.Next)
	}
	pq3, err := parsePage(url.Values{"page_size": {"all"}, "page": {"3"}})
	if err != nil || pq3.core().Offset != 2*maxAllPageSize || pq3.core().Limit != maxAllPageSize {
		t.Errorf("page 3 of all = %+v, %v", pq3.core(), err)
	}
}
