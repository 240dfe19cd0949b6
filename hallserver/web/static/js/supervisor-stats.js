// supervisor-stats.js: statistics (统计) with charts — tickets per hour of
// a day (GET /stats?period=hour), tickets issued and served, average and
// longest waits and the satisfaction rate per day, week or month, the
// range's totals, and the same figures as a CSV file to download (GET
// /stats.csv: what hallctl stats export --csv writes, with a byte order
// mark for Excel).
import { api, el } from "/static/js/api.js";
import { bi, heading, duration, percent, addDays, loading, failure } from "/static/js/supervisor-util.js";
import { barChart } from "/static/js/supervisor-charts.js";

const PERIODS = [["day", "按日", "by day"], ["week", "按周", "by week"], ["month", "按月", "by month"]];
const DIMENSIONS = [["", "全大厅", "whole hall"], ["department", "按部门", "by department"], ["item", "按事项", "by item"],
  ["window", "按窗口", "by window"], ["staff", "按工作人员", "by staff"]];

export function mount(root, ctx) {
  const F = {
    from: el("input", { type: "date", id: "s-from", value: addDays(ctx.day, -13), required: true }),
    to: el("input", { type: "date", id: "s-to", value: ctx.day, required: true }),
    period: el("select", { id: "s-period" }, PERIODS.map(([v, zh, en]) => el("option", { value: v }, zh + " " + en))),
    by: el("select", { id: "s-by" }, DIMENSIONS.map(([v, zh, en]) => el("option", { value: v }, zh + " " + en))),
    hourDay: el("input", { type: "date", id: "s-hour-day", value: ctx.day, required: true }),
  };
  const csv = el("a", { class: "button", id: "stats-csv", download: "" }, "下载 CSV Download CSV");
  const form = el("form", { class: "sv-filters" },
    el("label", {}, "从 From", F.from), el("label", {}, "到 To", F.to), el("label", {}, "周期 Period", F.period),
    el("button", { type: "submit", class: "primary" }, "查看 Show"));
  const exportBox = el("div", { class: "card sv-filters sv-export" },
    el("strong", {}, bi("导出", "Export")),
    el("label", {}, "每行 Rows", F.by), csv,
    el("span", { class: "muted" }, "UTF-8 带 BOM，可用 Excel 直接打开 Opens in Excel as it is"));
  const hourForm = el("form", { class: "sv-filters" }, el("label", {}, "日期 Day", F.hourDay),
    el("button", { type: "submit" }, "查看 Show"));
  const totals = el("div", { class: "sv-cards", id: "stats-totals" });
  const hourly = el("div", { id: "chart-hourly" }, loading());
  const charts = el("div", { class: "sv-charts", id: "stats-charts" }, loading());
  const note = el("p", { class: "muted", id: "stats-note" });
  root.append(heading("统计", "Statistics", "取号、等待与满意度。等待：取号到首次叫号；满意率：非常满意、满意、基本满意占全部评价。 Tickets, waits and satisfaction."),
    form, note, totals, exportBox, charts,
    el("h2", {}, bi("每小时取号", "Tickets per hour")), hourForm, hourly);
  let alive = true, range = null, hours = null;
  // Charts are drawn for the width they have, and again when it changes.
  let drawnWidth = 0;
  const resize = new ResizeObserver(() => {
    if (Math.abs(width() - drawnWidth) > 40) { drawRange(); drawHours(); }
  });
  resize.observe(charts);
  function width() { return charts.clientWidth - 36; }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); loadRange(); });
  hourForm.addEventListener("submit", (ev) => { ev.preventDefault(); loadHours(); });
  F.by.addEventListener("change", setCSV);
  for (const f of [F.from, F.to, F.period]) f.addEventListener("change", setCSV);

  function query() {
    const q = new URLSearchParams({ from: F.from.value, to: F.to.value, period: F.period.value });
    return q;
  }
  function setCSV() {
    const q = query();
    if (F.by.value) q.set("by", F.by.value);
    csv.href = "/api/v1/stats.csv?" + q.toString();
  }

  async function loadRange() {
    setCSV();
    charts.replaceChildren(loading());
    let st;
    try {
      st = await api("GET", "/stats?" + query().toString());
    } catch (e) {
      if (alive) { charts.replaceChildren(failure(e, loadRange)); totals.replaceChildren(); }
      return;
    }
    if (!alive) return;
    range = st;
    const t = st.total;
    note.textContent = st.from + " 至 " + st.to + (st.provisional ? " · 部分工作日按暂定节假日计算，导入国务院通知后可能变化 Some working days were counted on a provisional calendar." : "");
    totals.replaceChildren(
      card("取号", "Tickets", String(t.tickets.issued), "办理 " + t.tickets.served + " · 过号 " + t.tickets.no_show + " · 取消 " + t.tickets.cancelled),
      card("平均等待", "Average wait", duration(t.tickets.avg_wait_seconds), "最长 longest " + duration(t.tickets.longest_wait_seconds)),
      card("平均办理", "Average service", duration(t.tickets.avg_service_seconds), "叫号 called " + t.tickets.called),
      card("满意率", "Satisfaction", percent(t.ratings.satisfaction_rate), "评价 " + t.ratings.count + " 条，差评 " + (t.ratings.dissatisfied + t.ratings.very_dissatisfied)),
      card("办结", "Applications completed", String(t.applications.completed),
        "受理 " + t.applications.accepted + " · 即办率 " + percent(t.applications.same_day_rate) + " · 超期 " + t.applications.overdue));
    drawRange();
  }

  function drawRange() {
    if (!range) return;
    const st = range, rows = st.rows, w = drawnWidth = width();
    const labels = rows.map((r) => label(st.period, r.period));
    const minutes = (v) => (v === null || v === undefined ? null : v / 60);
    charts.replaceChildren(
      barChart({ id: "chart-tickets", title: "取号与办理 Tickets issued and served", labels, width: w,
        series: [{ name: "取号 issued", cls: "s1", values: rows.map((r) => r.tickets.issued) },
          { name: "办理 served", cls: "s2", values: rows.map((r) => r.tickets.served) }],
        format: (v) => String(Math.round(v)), integer: true }),
      barChart({ id: "chart-waits", title: "等待时间（分钟） Waits in minutes", labels, width: w,
        series: [{ name: "平均 average", cls: "s1", values: rows.map((r) => minutes(r.tickets.avg_wait_seconds)) },
          { name: "最长 longest", cls: "s3", values: rows.map((r) => minutes(r.tickets.longest_wait_seconds)) }],
        format: (v) => (v < 10 ? v.toFixed(1) : String(Math.round(v))), empty: "没有叫过号 No calls" }),
      barChart({ id: "chart-satisfaction", title: "满意率 Satisfaction rate", labels, max: 1, width: w,
        series: [{ name: "满意率 satisfied", cls: "s2", values: rows.map((r) => r.ratings.satisfaction_rate) }],
        format: (v) => Math.round(v * 100) + "%", empty: "没有评价 No ratings" }));
  }

  async function loadHours() {
    hourly.replaceChildren(loading());
    const day = F.hourDay.value;
    let st;
    try {
      st = await api("GET", "/stats?" + new URLSearchParams({ from: day, to: day, period: "hour" }).toString());
    } catch (e) {
      if (alive) hourly.replaceChildren(failure(e, loadHours));
      return;
    }
    if (!alive) return;
    hours = st;
    drawHours();
  }

  function drawHours() {
    if (!hours) return;
    const st = hours, day = st.from;
    // The hall's hours (08–18), widened to any hour with tickets.
    const used = st.rows.map((r, h) => (r.tickets.issued ? h : -1)).filter((h) => h >= 0);
    const first = Math.min(8, ...used), last = Math.max(17, ...used);
    const rows = st.rows.slice(first, last + 1);
    const hourCSV = el("a", { href: "/api/v1/stats.csv?" + new URLSearchParams({ from: day, to: day, period: "hour" }).toString(), download: "", id: "stats-hour-csv" },
      "下载这一天的 CSV Download this day as CSV");
    hourly.replaceChildren(barChart({ id: "chart-hours", title: "每小时取号 Tickets per hour · " + day, width: width(),
      labels: rows.map((r) => r.period.slice(11) + "时"),
      series: [{ name: "取号 issued", cls: "s1", values: rows.map((r) => r.tickets.issued) }],
      format: (v) => String(Math.round(v)), integer: true, empty: "这一天没有取号 No tickets this day" }), el("p", {}, hourCSV));
  }

  function card(zh, en, value, sub) {
    return el("div", { class: "card sv-card" }, el("div", { class: "sv-card-title" }, bi(zh, en)),
      el("div", { class: "sv-card-value" }, value), el("div", { class: "muted" }, sub));
  }

  loadRange();
  loadHours();
  return { unmount() { alive = false; resize.disconnect(); } };
}

// label shortens a period's label for the axis: 03-02, W10, 2026-03.
function label(period, p) {
  if (period === "day") return p.slice(5);
  if (period === "week") return p.slice(5);
  return p;
}
