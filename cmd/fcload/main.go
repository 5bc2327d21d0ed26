// Command fcload is forecourt's load generator. It drives a running server
// through the SML API the way an integrator would, and prints throughput and
// latency percentiles.
//
//	fcload -mode create -n 100000 -c 16      # the complex-lead example, varied clients
//	fcload -mode phone -n 2000 -c 4          # GET /api/lead/?client__phone__icontains=<6 digits>
//	fcload -mode search -n 2000 -c 4         # GET /api/lead/?search=<surname or digits>
//	fcload -mode leancore -n 5000 -c 16      # LeanCore's GET /lead?phone=<a stored client's phone>
//	fcload -mode walcu -n 2000 -c 4          # Walcu's GET /dealers/{-dealer}/saleleads?q=<-q>&sort=-created_at&limit=50
//	fcload -mode walcu -collection cars -q '{}'   # … of another collection
//	fcload -mode ticket -user mart@hotmail.com -password Hol@MunD0 -n 20000 -c 16
//	                                         # Casabaca's POST /api/tickets, the document's body, each a new client and interaction
//	fcload -mode pull -ids confirmed.txt     # the lead bank: pull and confirm until the duration ends
//	fcload -mode pull -drain -ids f.txt      # … or until nothing is left to pull
//
// With -mode create, -ids names a file each acknowledged lead's id is
// appended to; with -mode pull, a file each confirmation's leads are
// appended to, "C <id>" confirmed now, "A <id>" confirmed before (a
// confirmation retried after its answer was lost). The pull mode prints the
// latency of each pull with its confirmation.
//
// It only talks to the URL given (loopback by default), stops after -n
// requests or -duration, whichever comes first.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fcload:", err)
		os.Exit(1)
	}
}

var surnames = []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres"}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fcload", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "server base URL")
	user := fs.String("user", "demo@example.com", "username")
	pass := fs.String("password", "demo", "password")
	mode := fs.String("mode", "create", "create, phone, search, leancore, walcu, ticket or pull")
	n := fs.Int("n", 10000, "requests to send")
	conc := fs.Int("c", 16, "concurrent clients")
	dur := fs.Duration("duration", 10*time.Minute, "stop after this long")
	source := fs.Int("source", 1, "source id for created leads")
	province := fs.Int("province", 28, "province id for created leads' clients")
	seed := fs.Uint64("seed", 1, "random seed")
	idsPath := fs.String("ids", "", "append the ids of acknowledged leads (create) or confirmed leads (pull) to this file")
	drain := fs.Bool("drain", false, "pull: stop when nothing is left to pull")
	walcuDealer := fs.String("dealer", "1", "walcu: the dealer's id in the paths")
	walcuQ := fs.String("q", defaultWalcuQ, "walcu: the list's q (a MongoDB filter)")
	walcuColl := fs.String("collection", "saleleads", "walcu: the collection listed (saleleads, cars, …)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ids *idLog
	if *idsPath != "" {
		f, err := os.OpenFile(*idsPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		ids = &idLog{f: f}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc * 2, MaxConnsPerHost: *conc * 2}, Timeout: 30 * time.Second}
	token, err := login(client, *base, *user, *pass)
	if err != nil {
		return err
	}
	if *mode == "pull" {
		return pull(client, *base, token, *dur, *drain, ids, stdout)
	}
	var location int
	if *mode != "ticket" && *mode != "walcu" {
		if location, err = firstLocality(client, *base, token, *province); err != nil {
			return err
		}
	}
	var phones []string
	if *mode == "leancore" {
		if phones, err = clientPhones(client, *base, token); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var next atomic.Int64
	var failures, ok atomic.Int64
	lat := make([][]time.Duration, *conc)
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(*seed, uint64(w)))
			for ctx.Err() == nil && next.Add(1) <= int64(*n) {
				var req *http.Request
				var err error
				if *mode == "walcu" {
					req, err = walcuList(*base, token, *walcuDealer, *walcuColl, *walcuQ)
				} else {
					req, err = build(*mode, *base, token, r, *source, *province, location, phones)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					failures.Add(1)
					return
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						firstErr.CompareAndSwap(nil, err)
						failures.Add(1)
					}
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if resp.StatusCode < 300 || (*mode == "leancore" && resp.StatusCode == http.StatusNotFound) {
					ok.Add(1)
					if ids != nil {
						var created struct{ ID int64 }
						if json.Unmarshal(body, &created) == nil && created.ID != 0 {
							ids.add("", created.ID)
						}
					}
				} else {
					firstErr.CompareAndSwap(nil, fmt.Errorf("%s: %d %s", req.URL, resp.StatusCode, truncate(body)))
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	fmt.Fprintf(stdout, "mode=%s requests=%d ok=%d failures=%d concurrency=%d elapsed=%s rate=%.0f/s p50=%s p90=%s p99=%s max=%s\n",
		*mode, len(all), ok.Load(), failures.Load(), *conc, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(.50).Round(10*time.Microsecond), pct(.90).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	if e, ok := firstErr.Load().(error); ok {
		return fmt.Errorf("%d failures, first: %w", failures.Load(), e)
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func login(c *http.Client, base, user, pass string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pass})
	resp, err := c.Post(base+"/api/auth/login/", "application/json", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("login failed: status %d", resp.StatusCode)
	}
	return out.Token, nil
}

func firstLocality(c *http.Client, base, token string, province int) (int, error) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/localities/?province=%d&page_size=1", base, province), nil)
	req.Header.Set("Authorization", "Token "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct{ Results []struct{ ID int } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Results) == 0 {
		return 0, errors.New("no locality found for the province")
	}
	return out.Results[0].ID, nil
}

func phone(r *rand.Rand) string { return fmt.Sprintf("6%08d", r.IntN(100000000)) }

// cedula returns a valid Ecuadorian cédula of Pichincha (17): nine digits
// and the modulo-10 check digit.
func cedula(r *rand.Rand) string {
	s := fmt.Sprintf("17%d%06d", r.IntN(6), r.IntN(1000000))
	sum := 0
	for i := range 9 {
		d := int(s[i]-'0') * (2 - i%2)
		if d > 9 {
			d -= 9
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

// build makes one request of the mode.
func build(mode, base, token string, r *rand.Rand, source, province, location int, phones []string) (*http.Request, error) {
	var req *http.Request
	var err error
	switch mode {
	case "create":
		surname := surnames[r.IntN(len(surnames))]
		// the "Lead complejo" example of the SML document, with a varied client
		body := map[string]any{
			"client": map[string]any{
				"name": "Cliente " + surname, "phone": phone(r), "email": fmt.Sprintf("cliente%d@example.com", r.IntN(1<<30)),
				"province": province, "location": location,
			},
			"vehicle": map[string]any{"brand_model": "Vehículo de prueba", "price": "10000", "km": "120000", "year": 2008, "gas": 1},
			"note":    []any{map[string]any{"content": "Nota de prueba"}},
			"status":  "new", "score": "1",
			"tags":   []any{map[string]any{"content": "Etiqueta de ejemplo"}},
			"source": source,
			"request": map[string]any{"task": []any{map[string]any{
				"type": "appraisal", "subtype": "subtipo de ejemplo", "description": "descripción de ejemplo", "media": "Whatsapp",
				"planified_realization_date": "2019-05-09T09:59:07.617Z", "planified_tracking_date": "2019-05-09T09:59:07.617Z",
				"realization_date_check": false, "tracking_date_check": false,
				"note": []any{map[string]any{"content": "nota en tarea de ejemplo"}},
				"appraisal": map[string]any{"brand_model": "marca del vehículo tasado", "license_plate": "8888JJJ", "km": "100000",
					"year": 2010, "gas": 1, "extras": "todos los extras incluidos", "origin": "national"},
			}}},
		}
		b, _ := json.Marshal(body)
		req, err = http.NewRequest("POST", base+"/api/lead/", bytes.NewReader(b))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	case "phone":
		p := phone(r)
		req, err = http.NewRequest("GET", base+"/api/lead/?client__phone__icontains="+p[2:8], nil)
	case "search":
		term := surnames[r.IntN(len(surnames))]
		if r.IntN(2) == 0 {
			term = phone(r)[3:8]
		}
		req, err = http.NewRequest("GET", base+"/api/lead/?search="+url.QueryEscape(term), nil)
	case "ticket":
		// the document's /api/tickets example, with a new client (a valid
		// cédula, phone and e-mail) and interaction each time
		surname := surnames[r.IntN(len(surnames))]
		body := map[string]any{"datosSugarCRM": map[string]any{
			"numero_identificacion": cedula(r), "tipo_identificacion": "C", "email": fmt.Sprintf("cliente%d@example.com", r.IntN(1<<30)),
			"user_name": "CG_RAMOS", "nombres": "CLIENTE", "apellidos": strings.ToUpper(surname), "celular": "09" + phone(r)[1:],
			"telefono": "022072827", "linea_negocio": "1", "tipo_transaccion": "1", "anio": "2020", "placa": "PCY-7933", "medio": "13",
			"campania": "5e686580-ee19-11ea-97ea-000c297d72b1", "asunto": "Mantenimiento", "comentario_cliente": "Necesita una cita para mantenimiento",
			"id_interaccion_inconcert": fmt.Sprintf("bench-%d-%d", r.Uint64(), r.Uint64()), "description": "El cliente requiere una cotizacion urgente",
			"porcentaje_discapacidad": "50_74", "marca": "1", "modelo": "2", "precio": "25000", "color": "negro", "anioMin": "2018",
			"anioMax": "2020", "kilometraje": "25000", "combustible": "gasolina"},
			"datos_adicionales": map[string]any{"title": "Titulo del Formulario", "pageUrl": "https://www.toyota.com.ec/formulariox.html",
				"fields": []any{map[string]any{"key": "Nombres", "nombre": "Maria"}}}}
		b, _ := json.Marshal(body)
		req, err = http.NewRequest("POST", base+"/api/tickets", bytes.NewReader(b))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			return req, nil
		}
	case "leancore":
		req, err = http.NewRequest("GET", base+"/lead?phone="+url.QueryEscape(phones[r.IntN(len(phones))]), nil)
		if req != nil {
			req.Header.Set("Authorization", "Bearer "+token)
			return req, nil
		}
	default:
		return nil, fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token "+token)
	return req, nil
}

// clientPhones returns the phones of up to 1,000 of the dealer's clients
// (SML's client list), for LeanCore lookups that find a lead.
func clientPhones(c *http.Client, base, token string) ([]string, error) {
	var phones []string
	for page := 1; page <= 2; page++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/clients/?page_size=500&page=%d", base, page), nil)
		req.Header.Set("Authorization", "Token "+token)
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		var out struct{ Results []struct{ Phone string } }
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil {
			break
		}
		for _, r := range out.Results {
			if r.Phone != "" {
				phones = append(phones, r.Phone)
			}
		}
	}
	if len(phones) == 0 {
		return nil, errors.New("no client with a phone found")
	}
	return phones, nil
}

// idLog appends ids to a file, one a line, from several goroutines.
type idLog struct {
	mu sync.Mutex
	f  *os.File
}

func (l *idLog) add(tag string, id int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if tag != "" {
		fmt.Fprintf(l.f, "%s %d\n", tag, id)
	} else {
		fmt.Fprintf(l.f, "%d\n", id)
	}
}

// pull drives the lead bank as one consumer: pull up to 100 leads, confirm
// them, again, until dur ends (or, with drain, until a pull hands out
// nothing). A call that fails (the server is down) is retried, the
// confirmation of the same batch included, so that a batch whose
// confirmation was lost is confirmed again (its leads then come back as
// already confirmed).
func pull(c *http.Client, base, token string, dur time.Duration, drain bool, ids *idLog, stdout io.Writer) error {
	deadline := time.Now().Add(dur)
	post := func(path string, body any, out any) error {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: status %d", path, resp.StatusCode)
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	retry := func(f func() error) error {
		for {
			err := f()
			if err == nil {
				return nil
			}
			if time.Now().After(deadline) {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var pulled, confirmed, again int
	var cycles []time.Duration
	for time.Now().Before(deadline) {
		t0 := time.Now()
		var p struct{ Leads []struct{ IDLeadBank int64 } }
		if err := retry(func() error { return post("/api/leads", 100, &p) }); err != nil {
			break
		}
		if len(p.Leads) == 0 {
			if drain {
				break
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		batch := make([]int64, len(p.Leads))
		for i, l := range p.Leads {
			batch[i] = l.IDLeadBank
		}
		pulled += len(batch)
		var v struct {
			Results struct{ Confirmed, AlreadyConfirmed []int64 }
		}
		if err := retry(func() error { return post("/api/leads/ValidateGetLeads", batch, &v) }); err != nil {
			break
		}
		for _, id := range v.Results.Confirmed {
			ids.add("C", id)
		}
		for _, id := range v.Results.AlreadyConfirmed {
			ids.add("A", id)
		}
		confirmed, again = confirmed+len(v.Results.Confirmed), again+len(v.Results.AlreadyConfirmed)
		cycles = append(cycles, time.Since(t0))
	}
	slices.Sort(cycles)
	pct := func(p float64) time.Duration {
		if len(cycles) == 0 {
			return 0
		}
		return cycles[min(len(cycles)-1, int(float64(len(cycles))*p))].Round(10 * time.Microsecond)
	}
	fmt.Fprintf(stdout, "mode=pull pulled=%d confirmed=%d already-confirmed=%d cycles=%d pull+confirm p50=%s p99=%s max=%s\n",
		pulled, confirmed, again, len(cycles), pct(.5), pct(.99), pct(1))
	return nil
}

// defaultWalcuQ is the walcu mode's filter: the status (the core's stage,
// indexed) and a nested field kept in the lead's Ext, which every lead
// made through SML lacks, so that it holds for each lead the page reads
// and is tested on each of them (MongoDB's $ne holds where the field is
// missing).
const defaultWalcuQ = `{"status.status": "new", "origin.medium": {"$ne": "fax"}}`

// walcuList is one page of Walcu's collection (saleleads by default): q,
// newest first, 50.
func walcuList(base, token, dealer, collection, q string) (*http.Request, error) {
	v := url.Values{"q": {q}, "sort": {"-created_at"}, "limit": {"50"}}
	req, err := http.NewRequest("GET", base+"/dealers/"+url.PathEscape(dealer)+"/"+url.PathEscape(collection)+"?"+v.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req, nil
}
