package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeWalkthrough runs the README's curl walkthrough of the SML API,
// as a newcomer would, against a server started with --demo.
func TestReadmeWalkthrough(t *testing.T) {
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
	m := regexp.MustCompile("(?s)## A walk through the SML API.*?```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no walkthrough block")
	}
	base, stop := startServer(t, "--db", filepath.Join(t.TempDir(), "readme.db"), "--demo")
	script := strings.ReplaceAll(string(m[1]), "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"Concesionario de Prueba"`,
		`"Datos adicionales sobre el modelo"`,
		`"nsa": "{ 'years': 0`,
		`"tracing"`,
		`"call_control"`,
		`"history_type": "+"`,
		`"status": "end"`,
		`"/api/lead/{id}/change_status/"`,
		`Sesión cerrada`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

// TestReadmeBankAndLeanCore runs the README's curl walkthrough of the lead
// bank and LeanCore against a server started with --demo; the API key it
// creates with the operator command is created the same way here.
func TestReadmeBankAndLeanCore(t *testing.T) {
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
	m := regexp.MustCompile("(?s)## The lead bank and LeanCore with curl.*?```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no lead bank walkthrough")
	}
	db := filepath.Join(t.TempDir(), "readme.db")
	base, stop := startServer(t, "--db", db, "--demo")
	var key strings.Builder
	if err := run(context.Background(), []string{"apikey", "create", "--db", db, "--dealer", "2"}, func(string) string { return "" },
		strings.NewReader(""), &key, io.Discard); err != nil {
		t.Fatal(err)
	}
	login := `TOKEN=$(curl -s -X POST localhost:8080/api/auth/login/ -H 'Content-Type: application/json' -d '{"username":"demo@example.com","password":"demo"}' | jq -r .token)` + "\n"
	script := strings.Replace(login+string(m[1]), "$(go run ./cmd/forecourt apikey create --dealer 2)", strings.TrimSpace(key.String()), 1)
	script = strings.ReplaceAll(script, "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{`"5 leads handed out; confirm them with ValidateGetLeads."`, `"2 leads confirmed."`, `"1 event recorded."`,
		`"Evento de entrega: delivery.event 1 contacted`, `"name": "Juan"`, `"phone": "573136434030"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

// TestReadmeCasabaca runs the README's curl walkthrough of Casabaca's API
// against a server started with --demo.
func TestReadmeCasabaca(t *testing.T) {
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
	m := regexp.MustCompile("(?s)## Casabaca's API with curl.*?```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no Casabaca walkthrough")
	}
	base, stop := startServer(t, "--db", filepath.Join(t.TempDir(), "readme.db"), "--demo")
	script := strings.ReplaceAll(string(m[1]), "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{"El ticket ya fue recibido", `"medio","nombres","numero_identificacion"`, "/api/prospecciones/", `"ticket_name":"TCK-`,
		`["end","new"]`, "Token has deleted succesfully"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
