// supervisor-charts.js: simple bar charts drawn as SVG with DOM calls (no
// library, nothing inline for the CSP to refuse): a value axis with a few
// grid lines, one bar per series in each group, a legend, a tooltip
// (<title>) on every bar, and the same figures as a table under a
// <details> for screen readers and for reading exact numbers. Colours
// come from supervisor.css by class.
import { el } from "/static/js/api.js";

const NS = "http://www.w3.org/2000/svg";

// svg builds an SVG element; text children become text nodes.
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// axisTop is the top of a value axis of four steps over values up to v:
// each step 1, 2, 2.5 or 5 times a power of ten (whole numbers, at least
// 1, for counts).
export function axisTop(v, integer) {
  if (!(v > 0)) return 4;
  const step = v / 4, p = Math.pow(10, Math.floor(Math.log10(step)));
  for (const m of [1, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const s = m * p;
    if (s >= step && (!integer || Number.isInteger(s))) return 4 * s;
  }
  return 4 * Math.max(1, Math.ceil(step));
}

let seq = 0;

// barChart draws grouped bars. opts: id, title (what it shows, also the
// accessible name), labels (one per group), series [{name, values, cls}]
// (a null value draws no bar), format (a value as text), max (the axis's
// top; from the values when absent), integer (the values are counts),
// width (the width it is shown at, in CSS pixels, so that its text is
// drawn at the size the stylesheet says; 760 when absent), empty (what to say when every value
// is null or 0).
export function barChart(opts) {
  const { labels, series } = opts;
  const format = opts.format || String;
  const W = Math.round(Math.max(300, opts.width || 760)), H = 300, L = 56, R = 10, T = 36, B = 44;
  const pw = W - L - R, ph = H - T - B;
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
  const top = opts.max || axisTop(Math.max(0, ...all), opts.integer);
  const id = "chart-" + (++seq);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "sv-chart", role: "img", "aria-labelledby": id + "-t", id: opts.id },
    svg("title", { id: id + "-t" }, opts.title));

  // grid lines and the value axis
  for (let i = 0; i <= 4; i++) {
    const v = top * i / 4, y = T + ph - ph * i / 4;
    root.append(svg("line", { x1: L, x2: W - R, y1: y, y2: y, class: i === 0 ? "axis" : "grid" }),
      svg("text", { x: L - 8, y: y + 5, class: "tick", "text-anchor": "end" }, format(v)));
  }
  // legend
  let lx = L;
  for (const s of series) {
    root.append(svg("rect", { x: lx, y: 8, width: 14, height: 14, class: "bar " + s.cls }),
      svg("text", { x: lx + 20, y: 20, class: "legend" }, s.name));
    lx += 28 + s.name.length * 13;
  }
  // bars
  const n = Math.max(1, labels.length), gw = pw / n, bw = Math.min(48, gw * 0.8 / series.length);
  const every = Math.ceil(n / Math.max(2, Math.floor(pw / 60))); // labels 60 px apart at least
  labels.forEach((label, i) => {
    const gx = L + gw * i + (gw - bw * series.length) / 2;
    series.forEach((s, j) => {
      const v = s.values[i];
      if (v === null || v === undefined) return;
      const h = Math.max(v > 0 ? 1 : 0, ph * Math.min(v, top) / top);
      root.append(svg("rect", { x: gx + bw * j, y: T + ph - h, width: Math.max(1, bw - 1), height: h, class: "bar " + s.cls },
        svg("title", {}, `${label} ${s.name}: ${format(v)}`)));
    });
    if (i % every === 0) {
      root.append(svg("text", { x: L + gw * i + gw / 2, y: H - B + 20, class: "tick", "text-anchor": "middle" }, label));
    }
  });
  const nothing = all.every((v) => !v);
  if (nothing) {
    root.append(svg("text", { x: L + pw / 2, y: T + ph / 2, class: "empty", "text-anchor": "middle" }, opts.empty || "没有数据 No data"));
  }

  const rows = labels.map((label, i) => el("tr", {}, el("th", { scope: "row" }, label),
    series.map((s) => el("td", { class: "num" }, s.values[i] === null || s.values[i] === undefined ? "—" : format(s.values[i])))));
  const data = el("details", { class: "sv-chart-data" }, el("summary", {}, "数据 Figures"),
    el("div", { class: "sv-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), series.map((s) => el("th", { scope: "col" }, s.name)))),
      el("tbody", {}, rows))));
  return el("figure", { class: "card sv-figure" }, el("figcaption", {}, opts.title), root, data);
}
