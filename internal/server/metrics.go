package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forecourt_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "forecourt_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "code"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency)
	}
	return m
}

// LeadCounter counts leads created; it is the core.Observer the binary
// gives the Service.
type LeadCounter struct {
	created prometheus.Counter
}

// NewLeadCounter registers the leads-created counter on reg.
func NewLeadCounter(reg *prometheus.Registry) *LeadCounter {
	c := &LeadCounter{created: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "forecourt_leads_created_total",
		Help: "Leads created, through any API.",
	})}
	reg.MustRegister(c.created)
	return c
}

// LeadCreated implements core.Observer.
func (c *LeadCounter) LeadCreated(int64) { c.created.Inc() }
