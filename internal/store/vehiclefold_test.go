package store_test

import (
	"database/sql"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/testkit"
)

// TestSQLitePlainFile: a migrated SQLite database holds no index, trigger
// or view that calls a function only the server registers (unicode_lower,
// 0053's indexes until 0055): any SQLite client can write a vehicle, check
// the file, vacuum it, and restore its dump with every index (migration
// 0055; docs/walcu.md, "WQL compares text case aside"). The schema is
// always checked; the standard sqlite3 shell, when installed, does the
// rest as an operator would.
func TestSQLitePlainFile(t *testing.T) {
	path := testkit.MigratedSQLitePath(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_master`)
	if err != nil {
		t.Fatal(err)
	}
	var indexes []string
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(text), "unicode_lower") {
			t.Errorf("%s %s calls the server's unicode_lower: %s", typ, name, text)
		}
		if typ == "index" {
			indexes = append(indexes, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	db.Close()
	for _, want := range []string{"vehicles_make", "vehicles_model", "vehicles_plate", "vehicles_vin"} {
		if !slices.Contains(indexes, want) {
			t.Errorf("no index %s: %v", want, indexes)
		}
	}

	shell, err := osexec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("FORECOURT_REQUIRE_SQLITE3") != "" { // CI installs it (.ci/run)
			t.Fatalf("no sqlite3 shell: %v", err)
		}
		t.Log("no sqlite3 shell here: the schema check alone")
		return
	}
	run := func(db, script string) string {
		t.Helper()
		cmd := osexec.Command(shell, "-bail", db)
		cmd.Stdin = strings.NewReader(script)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sqlite3 %s: %v: %s", db, err, out)
		}
		return string(out)
	}
	out := run(path, `PRAGMA integrity_check;
INSERT INTO vehicles (brand_model, make, model, plate, vin, make_fold, model_fold, plate_fold, vin_fold)
	VALUES ('SEAT Ibiza', 'SEAT', 'Ibiza', '1234ABC', 'VSSZZZ6JZ00000001', 'seat', 'ibiza', '1234abc', 'vsszzz6jz00000001');
UPDATE vehicles SET plate = '5678DEF', plate_fold = '5678def' WHERE plate = '1234ABC';
VACUUM;
PRAGMA integrity_check;
`)
	if out != "ok\nok\n" {
		t.Errorf("sqlite3: integrity_check, a vehicle's write, VACUUM: %q", out)
	}
	dump := run(path, ".dump\n")
	restored := filepath.Join(t.TempDir(), "restored.db")
	run(restored, dump)
	list := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'vehicles' ORDER BY name;\n"
	if a, b := run(path, list), run(restored, list); a != b || !strings.Contains(b, "vehicles_make\n") {
		t.Errorf("the restored dump's indexes of vehicles:\n%s\nwant\n%s", b, a)
	}
	if out := run(restored, "PRAGMA integrity_check;\nSELECT plate_fold FROM vehicles WHERE plate_fold = '5678def';\n"); out != "ok\n5678def\n" {
		t.Errorf("the restored dump: %q", out)
	}
}
