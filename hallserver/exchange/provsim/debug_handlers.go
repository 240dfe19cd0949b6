package provsim

import (
	"errors"
	"html/template"
	"net/http"
	"slices"

	"onestop/hallserver/exchange"
)

// handleStats is GET /debug/stats.
func (p *Province) handleStats(w http.ResponseWriter, r *http.Request) {
	s, err := p.Stats(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// handleHallView is GET /debug/halls/{code}.
func (p *Province) handleHallView(w http.ResponseWriter, r *http.Request) {
	v, err := p.HallView(r.Context(), r.PathValue("code"))
	switch {
	case errors.Is(err, ErrNotFound):
		p.refuse(w, http.StatusNotFound, codeNotFound, err.Error())
	case err != nil:
		p.internal(w, r, err)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

// handleHealth is GET /healthz: 200 while the store answers.
func (p *Province) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := p.rdb.PingContext(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, exchange.Error{Code: exchange.CodeUnavailable, Message: "the store does not answer: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// indexPage is the HTML view at /: no script, Chinese with English.
var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>省级交换模拟 · Province exchange simulator</title>
<style>
body { font: 15px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em; color: #1a1a1a; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: .3em .7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef2f6; }
.bad { color: #a40000; font-weight: bold; }
.muted { color: #555; }
</style>
</head>
<body>
<h1>省级交换模拟 <span class="muted">Province exchange simulator</span></h1>
<p>目录版本 Catalogue version <b>{{.Catalogue}}</b> · 信任列表版本 Trust version <b>{{.Trust}}</b> ·
请求 Requests <b>{{.Stats.Requests}}</b> · 批次重放 Batch replays <b>{{.Stats.BatchReplays}}</b></p>

<h2>大厅 Halls</h2>
<table>
<tr><th>大厅 Hall</th><th>收到 Received</th><th>已应用 Applied</th><th>重复 Duplicates</th><th>拒绝 Rejected</th><th>暂缓 Deferred</th><th>乱序 Out of order</th><th>审计链 Audit chain</th></tr>
{{range .Halls}}<tr><td><a href="/debug/halls/{{.Code}}">{{.Code}}</a> {{.Name}}</td><td>{{.S.Received}}</td><td>{{.S.Applied}}</td><td>{{.S.Duplicates}}</td><td>{{.S.Rejected}}</td><td>{{.S.Deferred}}</td><td>{{.S.OutOfOrder}}</td>
<td>{{if .S.AuditMismatch}}<span class="bad">不一致 mismatch</span>{{else}}一致 consistent{{end}}</td></tr>
{{else}}<tr><td colspan="8">尚无大厅 No halls registered</td></tr>{{end}}
</table>

<h2>事件类型 Event kinds</h2>
<table>
<tr><th>类型 Kind</th><th>收到 Received</th><th>已应用 Applied</th><th>重复 Duplicates</th><th>拒绝 Rejected</th><th>暂缓 Deferred</th><th>乱序 Out of order</th></tr>
{{range .Kinds}}<tr><td>{{.Kind}}</td><td>{{.S.Received}}</td><td>{{.S.Applied}}</td><td>{{.S.Duplicates}}</td><td>{{.S.Rejected}}</td><td>{{.S.Deferred}}</td><td>{{.S.OutOfOrder}}</td></tr>
{{end}}
</table>

<h2>故障注入 Faults</h2>
<table>
<tr><th>设置 Setting</th><th>值 Value</th></tr>
<tr><td>失败率 fail_rate</td><td>{{.Faults.FailRate}}</td></tr>
<tr><td>限流占比 rate_limit_share</td><td>{{.Faults.RateLimitShare}}</td></tr>
<tr><td>Retry-After</td><td>{{.Faults.RetryAfter}}</td></tr>
<tr><td>延迟 latency</td><td>{{.Faults.Latency}} ± {{.Faults.Jitter}}</td></tr>
<tr><td>连接重置 reset_rate</td><td>{{.Faults.ResetRate}}</td></tr>
<tr><td>丢失确认 lost_ack_rate</td><td>{{.Faults.LostAckRate}}</td></tr>
<tr><td>黑洞 black_hole</td><td>{{.Faults.BlackHole}}</td></tr>
</table>
<p class="muted">已注入 Injected: 5xx {{.Stats.Faults.Error5xx}} · 429 {{.Stats.Faults.RateLimited}} · 重置 resets {{.Stats.Faults.Reset}} ·
丢失确认 lost acks {{.Stats.Faults.LostAck}} · 黑洞 black-holed {{.Stats.Faults.BlackHole}} · 延迟 delayed {{.Stats.Faults.Latency}}</p>
<p class="muted">JSON: <a href="/debug/stats">/debug/stats</a> · 文档 Guide: docs/province-exchange.md</p>
</body>
</html>
`))

// handleIndex is GET /: the halls and their counts.
func (p *Province) handleIndex(w http.ResponseWriter, r *http.Request) {
	s, err := p.Stats(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	catVersion, _, err := p.latestCatalogue(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	trust, err := p.TrustVersion(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	type hallRow struct {
		Code, Name string
		S          HallStats
	}
	type kindRow struct {
		Kind string
		S    KindStats
	}
	data := struct {
		Catalogue, Trust int64
		Stats            Stats
		Faults           Faults
		Halls            []hallRow
		Kinds            []kindRow
	}{Catalogue: catVersion, Trust: trust, Stats: s, Faults: p.Faults()}
	codes := p.hallCodes()
	slices.Sort(codes)
	for _, c := range codes {
		h, _ := p.hall(c)
		data.Halls = append(data.Halls, hallRow{c, h.Name, s.Halls[c]})
	}
	kinds := make([]string, 0, len(s.Kinds))
	for k := range s.Kinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		data.Kinds = append(data.Kinds, kindRow{k, s.Kinds[k]})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := indexPage.Execute(w, data); err != nil {
		p.log.Error("provsim: index page", "err", err)
	}
}
