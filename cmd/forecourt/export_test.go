package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getJSON sends GET url with token and decodes the answer, whatever JSON
// it is.
func getJSON(t *testing.T, url, token string) (int, any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("GET %s: %d, no JSON: %.300s", url, resp.StatusCode, raw)
	}
	return resp.StatusCode, v
}

// exportAcrossServers starts a Walcu export of the first dealer's
// saleleads on server a, and fetches it from server b once one of the
// two servers' runners ran it: the whole list, as b lists it.
func exportAcrossServers(t *testing.T, a, b, token string) {
	t.Helper()
	code, v := getJSON(t, a+"/dealers/1/saleleads/all?sort=created_at", token)
	arr, _ := v.([]any)
	if code != 200 || len(arr) != 1 {
		t.Fatalf("export on A: %d %v", code, v)
	}
	jobURL, _ := arr[0].(map[string]any)["job_url"].(string)
	if !strings.HasPrefix(jobURL, a+"/dealers/1/jobs/") {
		t.Fatalf("job_url %q is not A's", jobURL)
	}
	onB := b + strings.TrimPrefix(jobURL, a)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		code, v = getJSON(t, onB, token)
		if code != http.StatusAccepted || time.Now().After(deadline) {
			break
		}
	}
	got, _ := v.([]any)
	if code != 200 {
		t.Fatalf("the export on B: %d %v", code, v)
	}
	_, l := getJSON(t, b+"/dealers/1/saleleads?sort=created_at&limit=50", token)
	list, _ := l.([]any)
	if len(got) < len(list) || len(list) == 0 {
		t.Fatalf("the export has %d leads, a page of the list %d", len(got), len(list))
	}
	for i := range list {
		if list[i].(map[string]any)["_id"] != got[i].(map[string]any)["_id"] {
			t.Fatalf("lead %d: the export and the list differ", i)
		}
	}
}
