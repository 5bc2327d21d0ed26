package store_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/sml"
	"forecourt/internal/store"
	"forecourt/internal/telephony"

	"golang.org/x/crypto/bcrypt"
)

// Migration 0009 moved what the store kept in SML's words into the core's:
// history kinds and field names, task media. These tests check that
// history written by the code before it reads the same through the SML API
// after it, and that the migration goes down and up again unchanged.

// smlClient talks to the SML API over a store, as the demo admin.
type smlClient struct {
	t     *testing.T
	h     http.Handler
	token string
}

func newSMLClient(t *testing.T, s *store.Store) smlClient {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	svc := core.NewService(s, core.WithDialer(telephony.LogDialer{Log: quiet}), core.WithLogger(quiet))
	c := smlClient{t: t, h: sml.NewHandler(svc, sml.WithLogger(quiet))}
	var login struct{ Token string }
	c.decode(c.do(http.MethodPost, "/api/auth/login/", map[string]any{"username": demo.AdminUsername, "password": demo.AdminPassword}, http.StatusOK), &login)
	c.token = login.Token
	return c
}

// do sends body as JSON and returns the answer's body, failing unless its
// status is want.
func (c smlClient) do(method, target string, body any, want int) []byte {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	r := httptest.NewRequest(method, target, rd)
	r.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		r.Header.Set("Authorization", "Token "+c.token)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	if w.Code != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, target, w.Code, w.Body, want)
	}
	return w.Body.Bytes()
}

func (c smlClient) decode(b []byte, v any) {
	c.t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		c.t.Fatalf("%v: %s", err, b)
	}
}

// historyReasons returns the history_change_reason of every entry of a
// lead's history, newest first.
func (c smlClient) historyReasons(leadID int64) []string {
	c.t.Helper()
	var page struct {
		Results []struct {
			Reason string `json:"history_change_reason"`
			User   string `json:"history_user"`
		}
	}
	c.decode(c.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/?page_size=all", leadID), nil, http.StatusOK), &page)
	var out []string
	for _, r := range page.Results {
		out = append(out, r.User+": "+r.Reason)
	}
	return out
}

// taskMedia returns the media of a lead's tasks as SML renders them.
func (c smlClient) taskMedia(leadID int64) []string {
	c.t.Helper()
	var lead struct {
		Request struct {
			Task []struct{ Media string }
		}
	}
	c.decode(c.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", leadID), nil, http.StatusOK), &lead)
	var out []string
	for _, t := range lead.Request.Task {
		out = append(out, t.Media)
	}
	return out
}

// fields returns, for each result of the list at target, the values of
// keys.
func (c smlClient) fields(target string, keys ...string) []map[string]any {
	c.t.Helper()
	var page struct{ Results []map[string]any }
	c.decode(c.do(http.MethodGet, target, nil, http.StatusOK), &page)
	var out []map[string]any
	for _, r := range page.Results {
		m := map[string]any{}
		for _, k := range keys {
			m[k] = r[k]
		}
		out = append(out, m)
	}
	return out
}

// dealerKeys are the concessionaire fields 0009 moved.
var dealerKeys = []string{"id", "name", "web_coches_net", "date_notes", "appraisal_notes", "financing_notes", "warranty_notes",
	"service_notes", "mask_c2c", "concession_phone"}

// userKeys are the user fields 0009 moved.
var userKeys = []string{"id", "username", "is_staff", "is_superuser", "is_admin", "is_concession_admin", "is_business_manager"}

// bound rewrites ? placeholders to $n for PostgreSQL.
func bound(engine, q string) string {
	if engine != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func exec(t *testing.T, db *sql.DB, engine, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(bound(engine, q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVocabularyThroughMigration9(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f, err := demo.Seed(ctx, core.NewService(s, core.WithLogger(slog.New(slog.DiscardHandler)), core.WithPasswordCost(bcrypt.MinCost)), demo.Options{Advisors: 1})
			check(t, err, "seed")
			c := newSMLClient(t, s)

			// A lead with every kind of history, through SML.
			var lead struct {
				ID      int64
				Request struct{ Task []struct{ ID int64 } }
			}
			c.decode(c.do(http.MethodPost, "/api/lead/", map[string]any{
				"source": f.SourceIDs["phone"], "vehicle": map[string]any{"brand_model": "SEAT León"},
				"client": map[string]any{"name": "Ana", "phone": "666777888"},
				"request": map[string]any{"task": []any{
					map[string]any{"type": "date", "media": "E-mail", "subtype": "Visita"},
					map[string]any{"type": "budget", "media": "Whatsapp", "realization_date_check": true},
				}},
			}, http.StatusCreated), &lead)
			lp := fmt.Sprintf("/api/lead/%d/", lead.ID)
			c.do(http.MethodPatch, lp+"change_status/", map[string]any{"status": "tracing"}, http.StatusOK)
			c.do(http.MethodPatch, fmt.Sprintf("/api/task/%d/", lead.Request.Task[0].ID), map[string]any{"media": "SMS"}, http.StatusOK)
			c.do(http.MethodPatch, lp, map[string]any{"user": f.AdvisorIDs[0]}, http.StatusOK)
			c.do(http.MethodPatch, lp, map[string]any{"result": "sale"}, http.StatusOK)
			var task struct{ ID int64 }
			c.decode(c.do(http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": lead.ID, "type": "other",
				"media": "E-mail", "description": "Llamar de nuevo"}, http.StatusCreated), &task)
			c.do(http.MethodDelete, fmt.Sprintf("/api/task/%d/", task.ID), nil, http.StatusNoContent)
			c.do(http.MethodPatch, "/api/netelip/call_control_lead/click2call/", map[string]any{"lead": lead.ID}, http.StatusOK)
			before := c.historyReasons(lead.ID)
			beforeMedia := c.taskMedia(lead.ID)
			stored, _, err := s.LeadHistory(ctx, []int64{f.DealerID}, lead.ID, false, core.All)
			check(t, err, "history")
			dealersBefore := c.fields("/api/concessionaire/", dealerKeys...)
			usersBefore := c.fields("/api/user/", userKeys...)
			provincesBefore := c.fields("/api/provinces/?country=28&page_size=all", "id", "country", "name")
			if d := dealersBefore[0]; d["web_coches_net"] == nil || d["date_notes"] == nil || d["service_notes"] == nil || d["mask_c2c"] == nil {
				t.Fatalf("the demo dealer lacks what 0009 moves: %v", d)
			}
			if u := usersBefore[0]; u["username"] != demo.AdminUsername || u["is_staff"] != true || u["is_superuser"] != true || u["is_admin"] != true {
				t.Fatalf("the demo admin: %v", u)
			}
			if want := []string{"SMS", "Whatsapp", "Phone"}; strings.Join(beforeMedia, ",") != strings.Join(want, ",") {
				t.Fatalf("media = %q, want %q", beforeMedia, want)
			}
			for _, want := range []string{"Estado cambiado: status new → tracing", "request.task.", ".media E-mail → SMS",
				"Lead finalizado: status tracing → end, result (vacío) → sale", "Lead creado: status new, ",
				"request.task date E-mail Visita", "request.task budget Whatsapp done", "request.task (vacío) → other E-mail Llamar de nuevo", "request.task other E-mail Llamar de nuevo → (vacío)"} {
				if !strings.Contains(strings.Join(before, "\n"), want) {
					t.Errorf("history lacks %q:\n%s", want, strings.Join(before, "\n"))
				}
			}
			check(t, s.Close(), "close")

			// Down: the store holds SML's words again, as the code before
			// 0009 wrote them; that code writes two more entries.
			at := time.Now().Add(time.Hour).UnixMicro()
			migrateDownTo(t, engine, dsn, 8, func(db *sql.DB) {
				if got := column(t, db, `SELECT media FROM tasks ORDER BY id`); strings.Join(got, ",") != "SMS,Whatsapp,Phone" {
					t.Errorf("tasks.media after down = %q", got)
				}
				reasons := strings.Join(column(t, db, `SELECT reason FROM lead_history ORDER BY id`), ",")
				changes := strings.Join(column(t, db, `SELECT changes FROM lead_history ORDER BY id`), "\n")
				for _, want := range []string{"lead created", "status changed", "task updated", "lead assigned", "lead finished", "task deleted", "call placed"} {
					if !strings.Contains(reasons, want) {
						t.Errorf("reasons after down lack %q: %s", want, reasons)
					}
				}
				for _, want := range []string{`{"field":"status","old":"new","new":"tracing"}`, `{"field":"result","old":"","new":"sale"}`,
					`"old":"E-mail","new":"SMS"}`, `"new":"date E-mail Visita"}`, `"new":"other E-mail Llamar de nuevo"}`, `"old":"other E-mail Llamar de nuevo","new":""}`} {
					if !strings.Contains(changes, want) {
						t.Errorf("changes after down lack %s:\n%s", want, changes)
					}
				}
				if strings.Contains(changes, `"field":"stage"`) || strings.Contains(changes, `"field":"outcome"`) {
					t.Errorf("core field names after down:\n%s", changes)
				}
				q := `INSERT INTO lead_history (lead_id, at, user_id, type, reason, changes) VALUES (?, ?, ?, ?, ?, ?)`
				exec(t, db, engine, q, lead.ID, at, f.AdminID, "changed", "status changed", `[{"field":"status","old":"end","new":"new"}]`)
				exec(t, db, engine, q, lead.ID, at+1, f.AdminID, "changed", "lead updated",
					`[{"field":"result","old":"sale","new":""},{"field":"tasks","old":"","new":"appraisal SMS"},`+
						`{"field":"tasks","old":"date Whatsapp Prueba \"Phone\" done","new":""},`+
						`{"field":"tasks.7.media","old":"Phone","new":"E-mail"},{"field":"notes","old":"","new":"date Phone \u003cb\u003e \\\"status\\\""},`+
						`{"field":"mail_content","old":"","new":"\"field\":\"status\""}]`)
				exec(t, db, engine, `UPDATE tasks SET media = 'E-mail' WHERE id = ?`, lead.Request.Task[1].ID)

				// Dealers and users in their old columns.
				var webCochesNet, dateNotes, serviceNotes, maskC2C string
				if err := db.QueryRow(`SELECT web_coches_net, date_notes, service_notes, mask_c2c FROM dealers`).Scan(&webCochesNet, &dateNotes, &serviceNotes, &maskC2C); err != nil {
					t.Fatal(err)
				}
				d := dealersBefore[0]
				same(t, "dealer after down", []any{webCochesNet, dateNotes, serviceNotes, maskC2C}, []any{d["web_coches_net"], d["date_notes"], d["service_notes"], d["mask_c2c"]})
				var staff, super bool
				if err := db.QueryRow(bound(engine, `SELECT is_staff, is_superuser FROM users WHERE id = ?`), f.AdminID).Scan(&staff, &super); err != nil || !staff || !super {
					t.Errorf("admin after down: is_staff %v is_superuser %v, %v", staff, super, err)
				}
				// A superuser who was not is_admin, as the code before
				// could store him.
				var root int64
				if err := db.QueryRow(bound(engine, `INSERT INTO users (public_id, username, is_staff, is_superuser, is_admin, is_active, created_at)
					VALUES ('legacy-root', 'root', FALSE, TRUE, FALSE, TRUE, ?) RETURNING id`), at).Scan(&root); err != nil {
					t.Fatal(err)
				}
				exec(t, db, engine, `INSERT INTO memberships (user_id, dealer_id) VALUES (?, ?)`, root, f.DealerID)
				// A second row of Spain, with a province.
				var spain2 int64
				if err := db.QueryRow(`INSERT INTO countries (code, name) VALUES ('ES', 'Spain') RETURNING id`).Scan(&spain2); err != nil {
					t.Fatal(err)
				}
				exec(t, db, engine, `INSERT INTO provinces (id, country_id, name, active) VALUES (9999, ?, 'Ceuta y Melilla', TRUE)`, spain2)
			})

			// Up: the history reads as the code before 0009 showed it.
			s = openAt(t, dsn)
			defer s.Close()
			c = newSMLClient(t, s)
			after := c.historyReasons(lead.ID)
			legacy := []string{
				"demo@example.com: Lead modificado: result sale → (vacío), request.task (vacío) → appraisal SMS, " +
					`request.task date Whatsapp Prueba "Phone" done → (vacío), request.task.7.media Phone → E-mail, ` +
					`note (vacío) → date Phone <b> \"status\", mail_content (vacío) → "field":"status"`,
				"demo@example.com: Estado cambiado: status end → new",
			}
			same(t, "history after up", after, append(legacy, before...))
			same(t, "media after up", c.taskMedia(lead.ID), []string{"SMS", "E-mail", "Phone"})
			if got := column(t, s.DB(), `SELECT media FROM tasks ORDER BY id`); strings.Join(got, ",") != "sms,email,phone" {
				t.Errorf("tasks.media after up = %q", got)
			}
			same(t, "concessionaires after up", c.fields("/api/concessionaire/", dealerKeys...), dealersBefore)
			root := map[string]any{"username": "root", "is_staff": true, "is_superuser": true, "is_admin": true,
				"is_concession_admin": false, "is_business_manager": false}
			usersAfter := c.fields("/api/user/", userKeys...)
			if n := len(usersAfter); n > 0 {
				root["id"] = usersAfter[n-1]["id"]
			}
			same(t, "users after up", usersAfter, append(usersBefore, root))
			var provincesAfter []map[string]any
			ceuta := 0
			for _, p := range c.fields("/api/provinces/?country=28&page_size=all", "id", "country", "name") {
				if p["id"] == 9999.0 {
					same(t, "province of the second Spain", p, map[string]any{"id": 9999.0, "country": 28.0, "name": "Ceuta y Melilla"})
					ceuta++
					continue
				}
				provincesAfter = append(provincesAfter, p)
			}
			same(t, "provinces of Spain after up", provincesAfter, provincesBefore)
			if ceuta != 1 {
				t.Errorf("the second Spain's province is listed %d times", ceuta)
			}

			hs, _, err := s.LeadHistory(ctx, []int64{f.DealerID}, lead.ID, false, core.All)
			check(t, err, "history")
			same(t, "history of the new code after down and up", hs[:len(stored)], stored)
			same(t, "legacy kinds", []core.HistoryKind{hs[len(stored)].Kind, hs[len(stored)+1].Kind},
				[]core.HistoryKind{core.KindStageChanged, core.KindLeadUpdated})
			same(t, "legacy changes", hs[len(stored)+1].Changes, []core.Change{
				{Field: "outcome", Old: "sale"}, {Field: "tasks", New: "appraisal sms"},
				{Field: "tasks", Old: `date whatsapp Prueba "Phone" done`}, {Field: "tasks.7.media", Old: "phone", New: "email"},
				{Field: "notes", New: `date Phone <b> \"status\"`}, {Field: "mail_content", New: `"field":"status"`},
			})
		})
	}
}
