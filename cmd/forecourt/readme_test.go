package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeWalks are the README's curl walkthroughs in the order a newcomer
// follows them, each with what its output must show. They run as one
// shell session, one block after the other, against one server: a block
// that leans on what an earlier one left (its $TOKEN, its logout) is
// tested as a reader meets it.
var readmeWalks = []struct {
	heading string
	want    []string
}{
	{"## A walk through the SML API", []string{
		`"Concesionario de Prueba"`,
		`"Datos adicionales sobre el modelo"`,
		`"nsa": "{ 'years': 0`,
		`"tracing"`,
		`"call_control"`,
		`"history_type": "+"`,
		`"status": "end"`,
		`"/api/lead/{id}/change_status/"`,
		`Sesión cerrada`,
	}},
	{"## The lead bank and LeanCore with curl", []string{
		`"5 leads handed out; confirm them with ValidateGetLeads."`,
		`"2 leads confirmed."`,
		`"1 event recorded."`,
		`"Evento de entrega: delivery.event 1 contacted`,
		`"name": "Juan"`,
		`"phone": "573136434030"`,
	}},
	{"## Casabaca's API with curl", []string{
		"El ticket ya fue recibido",
		`"medio","nombres","numero_identificacion"`,
		"/api/prospecciones/",
		`"ticket_name":"TCK-`,
		`["end","new"]`,
		"Token has deleted succesfully",
	}},
	{"## Walcu with curl", []string{
		`"_id": "new"`,
		`"__v": 1`,
		`"computed": "SEAT"`,
		`"first_name":`,
	}},
	{"## ADF/XML intake with curl", []string{
		`status="created"`,
		`status="existing"`,
		"\n1\n",
	}},
}

// TestReadmeWalkthroughs runs every curl walkthrough of the README, in
// order, against a server started with --demo; the API key the lead
// bank's walk creates with the operator command is created the same way
// here.
func TestReadmeWalkthroughs(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to test the README (.ci/run installs it)", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "readme.db")
	base, stop := startServer(t, "--db", db, "--demo")
	var key strings.Builder
	if err := run(context.Background(), []string{"apikey", "create", "--db", db, "--dealer", "2"}, func(string) string { return "" },
		strings.NewReader(""), &key, io.Discard); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	for i, w := range readmeWalks {
		m := regexp.MustCompile("(?s)" + regexp.QuoteMeta(w.heading) + ".*?```sh\n(.*?)```").FindSubmatch(readme)
		if m == nil {
			t.Fatalf("README has no walkthrough under %q", w.heading)
		}
		// Each block's output is marked, so that a want is looked for in
		// its own block's output.
		fmt.Fprintf(&script, "echo '@@ %d'\n", i)
		script.Write(m[1])
	}
	text := strings.Replace(script.String(), "$(go run ./cmd/forecourt apikey create --dealer 2)", strings.TrimSpace(key.String()), 1)
	text = strings.ReplaceAll(text, "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", text)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	for i, w := range readmeWalks {
		_, block, found := strings.Cut(string(out), fmt.Sprintf("@@ %d\n", i))
		if !found {
			t.Errorf("%s: no output", w.heading)
			continue
		}
		block, _, _ = strings.Cut(block, "\n@@ ")
		for _, want := range w.want {
			if !strings.Contains(block, want) {
				t.Errorf("%s: output lacks %s", w.heading, want)
			}
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
