package hallserver

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the hall server's Prometheus metrics.
type metrics struct {
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	issued        prometheus.Counter
	loginFailures prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, s *Server) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "onestop_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "onestop_http_request_seconds", Help: "HTTP request latency by route (event streams excluded).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		issued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "onestop_tickets_issued_total", Help: "Tickets issued since start.",
		}),
		loginFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "onestop_login_failures_total", Help: "Failed or refused staff logins.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.issued, m.loginFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "onestop_store_transactions_total", Help: "Write transactions committed or attempted (group commits).",
		}, func() float64 { return float64(s.st.Stats().Transactions) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "onestop_store_writes_total", Help: "Writes run in those transactions.",
		}, func() float64 { return float64(s.st.Stats().Writes) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "onestop_store_batch_retries_total", Help: "Batches run again with savepoints because a write failed half-way.",
		}, func() float64 { return float64(s.st.Stats().Retries) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "onestop_live_subscribers", Help: "Open event streams.",
		}, func() float64 { return float64(s.broker.Subscribers()) }),
		&waitingCollector{s: s, desc: prometheus.NewDesc("onestop_queue_waiting", "Tickets waiting, by queue.", []string{"queue"}, nil)},
	)
	return m
}

// waitingCollector reads the waiting counts at scrape time.
type waitingCollector struct {
	s    *Server
	desc *prometheus.Desc
}

func (c *waitingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *waitingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.s.st.WaitingCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for q, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q)
	}
}
