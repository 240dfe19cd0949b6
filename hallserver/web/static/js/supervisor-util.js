// supervisor-util.js: what the supervisor pages' sections share — words in
// two languages, times in the hall's time zone, durations, tables, status
// lines and the server's messages in plain words. Text always goes in as
// text (el), never as HTML.
import { el, ApiError } from "/static/js/api.js";

export const TZ = "Asia/Shanghai";

// bi is Chinese first, then the English in smaller, muted type.
export function bi(zh, en) {
  return [zh, " ", el("span", { class: "en", lang: "en" }, en)];
}

// heading is a section's title with its English and, optionally, a line
// that says what the section is for.
export function heading(zh, en, what) {
  return el("div", { class: "sv-title" },
    el("h1", {}, bi(zh, en)),
    what ? el("p", { class: "muted" }, what) : null);
}

// Chinese words before the server's own message, by error code.
const ERRORS = {
  conflict: "当前状态不允许此操作", forbidden: "无权进行此操作", unauthenticated: "登录已过期，请重新登录",
  invalid_request: "填写有误", not_found: "未找到", rate_limited: "操作太频繁，请稍后再试", too_large: "内容太长",
  unavailable: "服务器暂时不可用", internal: "服务器出错",
};

// message is an error in plain words: Chinese for its kind, then what the
// server said (in English, naming the field and what to send).
export function message(e) {
  if (!(e instanceof ApiError)) return String(e && e.message || e);
  if (e.status === 0) return e.message;
  const zh = ERRORS[e.code];
  return zh ? zh + "：" + e.message : e.message;
}

const timeFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false });
const dateTimeFmt = new Intl.DateTimeFormat("zh-CN", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

// clock is a time of day in the hall (09:05); "" for none.
export function clock(iso) {
  if (!iso || iso.startsWith("0001-")) return "";
  return timeFmt.format(new Date(iso));
}

// dateTime is a day and time in the hall (2026/03/02 09:05); "" for none.
export function dateTime(iso) {
  if (!iso || iso.startsWith("0001-")) return "";
  return dateTimeFmt.format(new Date(iso));
}

// duration shows seconds the way people say them: 45 秒, 12 分 30 秒,
// 1 小时 5 分; "—" for none.
export function duration(sec) {
  if (sec === null || sec === undefined) return "—";
  sec = Math.round(sec);
  if (sec < 60) return sec + " 秒";
  const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
  if (h > 0) return h + " 小时 " + m + " 分";
  return s ? m + " 分 " + s + " 秒" : m + " 分钟";
}

// percent shows a fraction as a percentage (0.928 → 92.8%); "—" for none.
export function percent(v, decimals = 1) {
  if (v === null || v === undefined) return "—";
  return (v * 100).toFixed(decimals) + "%";
}

// addDays moves a day (YYYY-MM-DD) by n days.
export function addDays(day, n) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// table builds a table that scrolls sideways on a narrow screen. head is a
// list of header cells (text or nodes); rows a list of rows, each a list
// of cells or a <tr> built already. caption says what it is to a screen
// reader.
export function table(caption, head, rows, cls) {
  const t = el("table", { class: cls || "" },
    el("caption", { class: "sr-only" }, caption),
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => (r instanceof Node ? r : el("tr", {}, r.map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", {}, c))))))));
  return el("div", { class: "sv-scroll", tabindex: "0", role: "region", "aria-label": caption }, t);
}

// statusLine is a line for what an action did: ok(text), fail(error),
// clear().
export function statusLine() {
  const node = el("p", { class: "sv-status", role: "status", "aria-live": "polite" });
  return {
    node,
    ok(text) { node.className = "sv-status ok"; node.textContent = text; },
    fail(e) { node.className = "sv-status error"; node.textContent = message(e); },
    clear() { node.className = "sv-status"; node.textContent = ""; },
  };
}

// loading is what a section shows while it fetches.
export function loading() {
  return el("p", { class: "muted" }, "正在加载… Loading…");
}

// failure is what a section shows when it could not fetch: a way to try
// again, or to sign in again when the session has ended.
export function failure(e, retry) {
  const expired = e instanceof ApiError && e.status === 401;
  return el("div", { class: "card sv-failure", role: "alert" },
    el("p", { class: "error" }, "无法读取 Could not load: ", message(e)),
    expired ? el("button", { type: "button", class: "primary", onclick: () => location.reload() }, "重新登录 Sign in again")
      : retry ? el("button", { type: "button", onclick: retry }, "重试 Try again") : null);
}

// debounce runs fn once, ms after the last of a burst of calls.
export function debounce(fn, ms) {
  let t = 0;
  const d = () => { clearTimeout(t); t = setTimeout(fn, ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

// Rating levels (GB/T 39734-2020), as the ratings API names them.
export const LEVELS = {
  5: ["非常满意", "Very satisfied"], 4: ["满意", "Satisfied"], 3: ["基本满意", "Basically satisfied"],
  2: ["不满意", "Dissatisfied"], 1: ["非常不满意", "Very dissatisfied"],
};

// levelBadge shows a rating level in colour and words.
export function levelBadge(level) {
  const [zh, en] = LEVELS[level] || ["?", "?"];
  const cls = level <= 2 ? "red" : level === 3 ? "neutral" : "ok";
  return el("span", { class: "badge " + cls }, level + " " + zh, el("span", { class: "sr-only" }, " " + en));
}
