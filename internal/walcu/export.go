package walcu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// Exports (GET /{collection}/all): a durable background job (core.Job of
// kind exportKind, with a core.JobOutput) that writes every document the
// list's filters select, projected, into the database in chunks while it
// runs; its job_url (GET /jobs/{_id}) answers its progress, then streams
// the result chunk by chunk. See docs/walcu.md, "Exports".

// exportKind is the kind of the export jobs.
const exportKind = "walcu.export"

// exportChunks is how many chunks a download reads at once: it holds at
// most this times core.MaxJobChunk.
const exportChunks = 4

// exportPage is how many documents an export job reads at once: more
// than a list's page (the job answers no request; core.MaxLeadsPerAnswer
// bounds answers), so that the pages over a large result stay few, and a
// bounded number, so that the job's memory does not grow with the
// result. A variable for the tests, which read small pages.
var exportPage = 500

// exportPaged, when set (tests), is called between two pages of an
// export.
var exportPaged func()

// exportTimeout is how long one run of an export may take: longer than
// other jobs (core.JobTimeout), since it reads a whole collection (100,000
// leads took 40 s to 2 min on 2 busy cores: docs/benchmarks.md).
const exportTimeout = 30 * time.Minute

// exportPayload is an export job's input: the collection and the list's
// parameters, checked when the job was created and read again when it
// runs.
type exportPayload struct {
	Collection string `json:"collection"`
	Query      string `json:"query"`
}

// export serves GET /{collection}/all: it checks the filters (any error is
// answered now, not by the job), starts the job and answers
// [{_id, dealer_id, status, job_url}].
func (h *handler) export(w http.ResponseWriter, r *http.Request, req *request) error {
	v := r.URL.Query()
	lq, err := parseList(req, v, true)
	if err != nil {
		return err
	}
	// What only the core checks (a condition its schema refuses) is
	// checked by reading one document the way the job will.
	if _, err := req.b.find(req, core.Query{Where: lq.where, Sort: lq.sort, Limit: 1}); err != nil {
		return h.queryError(err, req)
	}
	payload, err := json.Marshal(exportPayload{Collection: req.coll.name, Query: v.Encode()})
	if err != nil {
		return err
	}
	o, err := req.svc.StartJobOutput(req.ctx, req.dealer.ID, exportKind, req.coll.name, payload)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, []doc{h.jobDoc(r, req, o)})
	return nil
}

// jobDoc is an export job as this API shows it: the document's four
// fields, and its collection, the documents written so far and its dates.
func (h *handler) jobDoc(r *http.Request, req *request, o core.JobOutput) doc {
	d := doc{
		"_id":        o.PublicID,
		"dealer_id":  dealerID(req.dealer),
		"status":     string(o.Job.State),
		"job_url":    h.baseURL(r) + "/dealers/" + dealerID(req.dealer) + "/jobs/" + o.PublicID,
		"collection": o.Subject,
		"count":      o.Items,
		"created_at": formatValue(o.CreatedAt),
		"expires_at": formatValue(o.ExpiresAt),
	}
	if o.Job.FinishedAt != nil {
		d["finished_at"] = formatValue(*o.Job.FinishedAt)
	}
	return d
}

// baseURL is the scheme and host of this server's URLs: the public URL
// (WithPublicURL), else the request's.
func (h *handler) baseURL(r *http.Request) string {
	if h.public != "" {
		return h.public
	}
	scheme := "http"
	if p := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])); p == "https" || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// job serves GET /jobs/{id}: while the export is queued or running, 202
// and the job with its progress; once done, 200 and the documents, an
// array streamed from the database chunk by chunk; failed, 500 in the
// error shape. Another dealer's job, or an expired one, is 404.
func (h *handler) job(w http.ResponseWriter, r *http.Request, req *request) error {
	o, err := req.svc.JobOutput(req.ctx, req.dealer.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	switch o.Job.State {
	case core.JobDone:
	case core.JobFailed:
		return &apiError{Body: Body{Status: http.StatusInternalServerError, Code: "internal",
			Message: fmt.Sprintf("the export failed after %d attempts: start it again", o.Job.Attempts)},
			cause: fmt.Errorf("export %s: %s", o.PublicID, o.Job.LastError)}
	default:
		w.Header().Set("Retry-After", "2")
		writeJSON(w, http.StatusAccepted, []doc{h.jobDoc(r, req, o)})
		return nil
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("x-export-count", strconv.FormatInt(o.Items, 10))
	w.Header().Set("Content-Length", strconv.FormatInt(o.Bytes+2, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("["))
	for seq := 0; seq < o.Chunks; {
		cs, err := req.svc.JobChunks(req.ctx, o, seq, exportChunks)
		if err == nil && len(cs) == 0 {
			err = fmt.Errorf("export %s: chunk %d of %d missing", o.PublicID, seq, o.Chunks)
		}
		if err != nil {
			// The answer has begun: cut it, so that the client sees an
			// incomplete body rather than a short array.
			h.log.ErrorContext(req.ctx, "walcu: export download", "job", o.PublicID, "err", err)
			panic(http.ErrAbortHandler)
		}
		for _, c := range cs {
			if _, err := w.Write(c); err != nil {
				return nil // the client went away
			}
		}
		seq += len(cs)
	}
	_, _ = w.Write([]byte("]"))
	return nil
}

// RegisterJobs registers the Walcu API's background jobs (its exports) on
// r, run over svc.
func RegisterJobs(r *core.Runner, svc *core.Service, opts ...Option) {
	h := newHandler(svc, opts...)
	r.HandleWithTimeout(exportKind, h.runExport, exportTimeout)
}

// runExport runs an export job: for the principal that started it, on its
// dealer, it reads the documents page by page, in the list's order, and
// writes them, projected, into the job's output as the elements of a JSON
// array (without its brackets). A run starts the output anew.
func (h *handler) runExport(ctx context.Context, j core.Job) (string, error) {
	var p exportPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return "", fmt.Errorf("export payload: %w", err)
	}
	coll, ok := collections[p.Collection]
	if !ok {
		return "", fmt.Errorf("export of unknown collection %q", p.Collection)
	}
	o, err := h.svc.OutputOf(ctx, j)
	if err != nil {
		return "", err
	}
	ctx = core.WithPrincipal(ctx, core.OutputPrincipal(o))
	ds, err := h.svc.DealersByID(ctx, []int64{o.DealerID})
	if err != nil || len(ds) == 0 {
		return "", fmt.Errorf("export's dealer %d: %v", o.DealerID, err)
	}
	req := &request{svc: h.svc, ctx: ctx, dealer: ds[0], coll: coll, b: h.backends[coll.name]}
	v, err := url.ParseQuery(p.Query)
	if err != nil {
		return "", fmt.Errorf("export query: %w", err)
	}
	lq, err := parseList(req, v, true)
	if err != nil {
		return "", fmt.Errorf("export query: %w", err)
	}
	out, err := h.svc.NewOutputWriter(ctx, j)
	if err != nil {
		return "", err
	}
	page, n := exportPage, 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Keyset pages: each continues after the last one's key, so that the
	// database reads the result once, whatever its size, and a document
	// added or removed while the job runs shifts nothing (core.Keyset).
	ks := &core.Keyset{}
	for {
		docs, err := req.b.find(req, core.Query{Where: lq.where, Sort: lq.sort, Limit: page, Keyset: ks})
		if err != nil {
			return "", err
		}
		buf.Reset()
		for _, d := range docs {
			if n > 0 {
				buf.WriteByte(',')
			}
			if err := enc.Encode(lq.project.apply(d)); err != nil {
				return "", err
			}
			buf.Truncate(buf.Len() - 1) // the encoder's newline
			n++
		}
		if err := out.Write(ctx, buf.Bytes(), len(docs)); err != nil {
			return "", err
		}
		if len(docs) < page {
			break
		}
		ks.After = ks.Next
		if exportPaged != nil {
			exportPaged()
		}
	}
	if err := out.Close(ctx); err != nil {
		return "", err
	}
	return strconv.Itoa(n), nil
}
