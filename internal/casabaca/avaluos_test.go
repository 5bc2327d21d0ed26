package casabaca_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"

	"forecourt/internal/casabaca"
)

const docAvaluo = `{"datosSugarCRM":{"ticket_id":"TICKET","placa":"PCY-7933","marca":"Toyota","modelo":"Hilux","anio":"2018","kilometraje":"25000","combustible":"diesel","origen":"nacional","extras":"Barras de techo","observaciones":"Golpe en la puerta","fecha":"2021-10-04 10:00"}}`

// TestAvaluos: an avalúo is created on a ticket, read alone and in the
// list, updated by its id; its PDF holds its text; another dealer's user
// sees none of it.
func TestAvaluos(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		tok := e.maria()
		ticket := e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
		a := e.data(tok, "POST", "/api/createUpdateAvaluo", strings.Replace(docAvaluo, "TICKET", ticket, 1))
		id, _ := a["avaluo_id"].(string)
		if !uuidRE.MatchString(id) || a["ticket_id"] != ticket || a["marca_modelo"] != "Toyota Hilux" || a["combustible"] != "Diésel" ||
			a["origen"] != "nacional" || a["anio"] != "2018" || a["fecha"] != "2021-10-04 10:00" || !strings.HasSuffix(a["pdf_url"].(string), "/api/pdf/"+id) {
			t.Fatalf("created: %v", a)
		}
		got := e.data(tok, "GET", "/api/getAvaluo/"+id, nil)
		if !jsonEqual(got, a) {
			t.Fatalf("read back %v\nwant %v", got, a)
		}
		up := e.data(tok, "POST", "/api/createUpdateAvaluo", map[string]any{"datosSugarCRM": map[string]any{"id": id, "kilometraje": "26000", "realizado": true}})
		if up["kilometraje"] != "26000" || up["realizado"] != true || up["placa"] != "PCY-7933" {
			t.Fatalf("updated: %v", up)
		}
		code, m := e.do(tok, "GET", "/api/getAvaluos", nil)
		list, _ := m["data"].([]any)
		if code != 200 || len(list) != 1 || list[0].(map[string]any)["avaluo_id"] != id {
			t.Fatalf("list: %d %v", code, m)
		}

		r := e.raw(e.h, tok, "GET", "/api/pdf/"+id, nil)
		doc := r.Body.Bytes()
		if r.Code != 200 || r.Header().Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %d %s", r.Code, r.Header())
		}
		checkPDF(t, doc, "PCY-7933", "Toyota Hilux", "FREDDY ROBERTO RODRIGUEZ VARGAS", "26000", "Golpe en la puerta")

		es := e.login("demo@example.com", "demo@example.com", "demo")
		for _, p := range []string{"/api/getAvaluo/" + id, "/api/pdf/" + id, "/api/correo/" + id} {
			if code, m := e.do(es, "GET", p, nil); code != 404 || m["error"] != "Avalúo no existe, id inválido" {
				t.Errorf("Spain's admin %s: %d %v", p, code, m)
			}
		}
		if code, m := e.do(es, "GET", "/api/getAvaluos", nil); code != 200 || len(m["data"].([]any)) != 0 {
			t.Errorf("Spain's admin lists: %d %v", code, m)
		}
		if code, m := e.do(tok, "GET", "/api/getAvaluo/"+ticket, nil); code != 404 {
			t.Errorf("a ticket's id as an avalúo's: %d %v", code, m)
		}
	})
}

// checkPDF opens doc as a PDF far enough to check it: its header and
// trailer, a cross-reference table whose offsets point at its objects,
// one page, and each of texts shown on it (the page stream is not
// compressed).
func checkPDF(t *testing.T, doc []byte, texts ...string) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(doc), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q…", doc[:min(len(doc), 20)])
	}
	i := bytes.LastIndex(doc, []byte("startxref"))
	var off int
	if _, err := fmtSscan(string(doc[i+len("startxref"):]), &off); err != nil || off <= 0 || off >= len(doc) || !bytes.HasPrefix(doc[off:], []byte("xref")) {
		t.Fatalf("startxref %d does not point at the xref table", off)
	}
	if n := bytes.Count(doc, []byte("/Type /Page\n")) + bytes.Count(doc, []byte("/Type /Page ")); n != 1 {
		t.Errorf("%d pages", n)
	}
	for _, s := range texts {
		if !bytes.Contains(doc, []byte("("+s+")")) {
			t.Errorf("the PDF does not show %q", s)
		}
	}
}

// TestAvaluoValidation: the rules of createUpdateAvaluo.
func TestAvaluoValidation(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	p := "datosSugarCRM."
	for _, tt := range []struct {
		body   string
		fields []string
	}{
		{`{}`, []string{p + "ticket_id", p + "placa", p + "modelo"}},
		{`{"datosSugarCRM":{"ticket_id":"x","prospeccion_id":"y","placa":"A","modelo":"B"}}`, []string{p + "prospeccion_id"}},
		{`{"datosSugarCRM":{"ticket_id":"x","placa":"A","modelo":"B","anio":"20","kilometraje":"x","combustible":"agua","origen":"lunar","fecha":"2021-10-04","realizado":"tal vez"}}`,
			[]string{p + "anio", p + "kilometraje", p + "combustible", p + "origen", p + "fecha", p + "realizado"}},
	} {
		code, m := e.do(tok, "POST", "/api/createUpdateAvaluo", tt.body)
		errs := errorsOf(t, code, m)
		got := keys(errs)
		slices.Sort(got)
		slices.Sort(tt.fields)
		if !slices.Equal(got, tt.fields) {
			t.Errorf("%s: %v, want %v", tt.body, errs, tt.fields)
		}
	}
	if code, m := e.do(tok, "POST", "/api/createUpdateAvaluo", strings.Replace(docAvaluo, "TICKET", "00000000-0000-0000-0000-000000000000", 1)); code != 404 {
		t.Errorf("on an unknown ticket: %d %v", code, m)
	}
	if code, m := e.do(tok, "POST", "/api/createUpdateAvaluo", `{"datosSugarCRM":{"id":"00000000-0000-0000-0000-000000000000"}}`); code != 404 || m["error"] != "Avalúo no existe, id inválido" {
		t.Errorf("an unknown avalúo: %d %v", code, m)
	}
}

// TestCorreoSMTP: correo sends the avalúo's PDF to its client's e-mail
// through the SMTP mailer, here to an SMTP server the test runs; by
// default the mailer logs instead.
func TestCorreoSMTP(t *testing.T) {
	srv := startSMTP(t)
	var logged bytes.Buffer
	st := newEnv(t)
	m, err := casabaca.NewSMTPMailer(casabaca.SMTPConfig{Host: "127.0.0.1", Port: srv.port, From: "avaluos@casabaca.example.com", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	st.h = casabaca.NewHandler(st.svc, casabaca.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))), casabaca.WithMailer(m))
	tok := st.maria()
	ticket := st.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
	id := st.data(tok, "POST", "/api/createUpdateAvaluo", strings.Replace(docAvaluo, "TICKET", ticket, 1))["avaluo_id"].(string)
	d := st.data(tok, "GET", "/api/correo/"+id, nil)
	if d["correo"] != "mart@hotmail.com" || d["avaluo_id"] != id {
		t.Fatalf("correo: %v", d)
	}
	msgs := srv.messages()
	if len(msgs) != 1 || msgs[0].from != "avaluos@casabaca.example.com" || !slices.Equal(msgs[0].to, []string{"mart@hotmail.com"}) {
		t.Fatalf("sent %+v", msgs)
	}
	msg, err := mail.ReadMessage(strings.NewReader(msgs[0].data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Avalúo de su vehículo Toyota Hilux" {
		t.Errorf("subject %q", subject)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if part.FileName() != "avaluo-"+id+".pdf" {
			continue
		}
		raw, _ := io.ReadAll(part)
		doc, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		checkPDF(t, doc, "PCY-7933", "FREDDY ROBERTO RODRIGUEZ VARGAS")
		found = true
	}
	if !found {
		t.Fatal("no PDF attached")
	}

	// the default mailer logs, and the answer is the same
	e := newEnv(t)
	logged.Reset()
	e.h = casabaca.NewHandler(e.svc, casabaca.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	tok = e.maria()
	ticket = e.data(tok, "POST", "/api/tickets", docTicket)["ticket_id"].(string)
	id = e.data(tok, "POST", "/api/createUpdateAvaluo", strings.Replace(docAvaluo, "TICKET", ticket, 1))["avaluo_id"].(string)
	e.data(tok, "GET", "/api/correo/"+id, nil)
	if !strings.Contains(logged.String(), "mail not sent") || !strings.Contains(logged.String(), "mart@hotmail.com") {
		t.Fatalf("log: %s", logged.String())
	}

	// an SMTP server that refuses: 502, and the failure logged
	srv.refuse()
	st.h = casabaca.NewHandler(st.svc, casabaca.WithLogger(slog.New(slog.DiscardHandler)), casabaca.WithMailer(m))
	tok = st.maria()
	if code, m := st.do(tok, "GET", "/api/correo/"+st.avaluoOf(tok), nil); code != 502 || m["error"] == nil {
		t.Fatalf("refused: %d %v", code, m)
	}
}

func (e *env) avaluoOf(tok string) string {
	code, m := e.do(tok, "GET", "/api/getAvaluos", nil)
	return dataList(e.t, code, m)[0].(map[string]any)["avaluo_id"].(string)
}

func dataList(t testing.TB, code int, m map[string]any) []any {
	t.Helper()
	l, ok := m["data"].([]any)
	if code != 200 || !ok || len(l) == 0 {
		t.Fatalf("list: %d %v", code, m)
	}
	return l
}

// smtpServer is a minimal SMTP server (RFC 5321's commands, no TLS, no
// authentication) that keeps what it is sent.
type smtpServer struct {
	port    int
	mu      sync.Mutex
	got     []smtpMessage
	refused bool
}

type smtpMessage struct {
	from string
	to   []string
	data string
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func (s *smtpServer) refuse() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = true
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpServer{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	reply := func(line string) { io.WriteString(c, line+"\r\n") }
	reply("220 localhost ESMTP test")
	var m smtpMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250-localhost")
			reply("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			s.mu.Lock()
			refused := s.refused
			s.mu.Unlock()
			if refused {
				reply("550 no")
				continue
			}
			m = smtpMessage{from: strings.Trim(strings.TrimSpace(line)[len("MAIL FROM:"):], "<> ")}
			if i := strings.Index(m.from, ">"); i >= 0 {
				m.from = m.from[:i]
			}
			reply("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			to := strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<> ")
			if i := strings.Index(to, ">"); i >= 0 {
				to = to[:i]
			}
			m.to = append(m.to, to)
			reply("250 OK")
		case cmd == "DATA":
			reply("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = b.String()
			s.mu.Lock()
			s.got = append(s.got, m)
			s.mu.Unlock()
			reply("250 OK queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 OK")
		}
	}
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }
