package main

import (
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
