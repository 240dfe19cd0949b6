package hallserver

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"onestop/hallserver/api"
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
		newProvinceCollector(s),
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

// provinceCollector reads the province link and the outbox at scrape
// time: one outbox count per scrape for all its gauges.
type provinceCollector struct {
	s                                          *Server
	backlog, oldest, dead, held, last, connect *prometheus.Desc
}

func newProvinceCollector(s *Server) *provinceCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &provinceCollector{s: s,
		backlog: d("onestop_province_backlog", "Outbox rows not yet delivered to the province (held ones included)."),
		oldest:  d("onestop_province_oldest_pending_seconds", "Age of the oldest outbox row not yet delivered; 0 when none."),
		dead:    d("onestop_province_dead_letters", "Outbox rows the province refused for good: a supervisor must look and replay."),
		held:    d("onestop_province_held", "Outbox rows waiting behind a dead letter of the same record."),
		last:    d("onestop_province_last_success_timestamp_seconds", "When an exchange with the province last succeeded (Unix time); 0 when never."),
		connect: d("onestop_province_connected", "1 when the last exchange with the province succeeded, else 0 (also without a province)."),
	}
}

func (c *provinceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.backlog, c.oldest, c.dead, c.held, c.last, c.connect} {
		ch <- d
	}
}

func (c *provinceCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	link := c.s.provinceLink()
	connected, last := 0.0, 0.0
	if link.State == api.ProvinceConnected {
		connected = 1
	}
	if !link.LastSuccess.IsZero() {
		last = float64(link.LastSuccess.UnixMilli()) / 1000
	}
	gauge(c.connect, connected)
	gauge(c.last, last)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ob, err := c.s.st.OutboxStatus(ctx)
	if err != nil {
		for _, d := range []*prometheus.Desc{c.backlog, c.oldest, c.dead, c.held} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	var st api.ProvinceStatus
	c.s.addOutbox(&st, ob)
	gauge(c.backlog, float64(st.Backlog))
	gauge(c.oldest, float64(st.OldestPendingSeconds))
	gauge(c.dead, float64(st.Dead))
	gauge(c.held, float64(st.Held))
}
