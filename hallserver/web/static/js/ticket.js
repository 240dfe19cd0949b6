// ticket.js: the citizen's phone page at /t/<token>, opened from the QR
// code on the queue slip. It shows the number, the queue, how many are
// ahead and the estimated wait, and — once called — where to go, in large
// letters. It follows the hall's live events (which carry no tokens: an
// event for this ticket's number or queue makes the page fetch its status
// again) and polls every 15 s while the live connection is down. It holds
// no personal data: the status has none.
import { live, el } from "/static/js/api.js";

const LANG_KEY = "onestop.lang";
const POLL_MS = 15000;

const T = {
  zh: {
    title: "排队进度",
    other: "English", otherLang: "en", otherLabel: "Switch to English",
    hall: "政务服务中心",
    yourNumber: "您的号码",
    queue: (name, code) => name + "（" + code + " 队）",
    ahead: "前面还有",
    people: (n) => [String(n), " 人"],
    next: "下一位就是您",
    wait: "预计等候",
    waitText: waitZh,
    waitingNote: "轮到您时，本页会显示去哪个窗口办理。请留在大厅附近，留意叫号。",
    held: "您的号码已暂缓，稍后会重新排队叫号。",
    transferred: (q) => "您已转到“" + q + "”队列继续排队。",
    callTitle: "轮到您了",
    goTo: (w) => ["请到 ", el("b", { class: "tk-window" }, w), " 号窗口办理"],
    goNow: "请带好材料，现在前往。",
    recalled: "再次呼叫您，请尽快前往窗口。",
    serving: (w) => "正在 " + w + " 号窗口为您办理",
    done: "已办理完毕",
    doneNote: "感谢您的耐心等候。",
    rateTitle: "评价本次服务",
    rateHint: "您的评价直接送到大厅负责人，不记录姓名。",
    reasonsLabel: "原因（可多选）",
    commentLabel: "留言（可不填，200 字以内）",
    send: "提交评价",
    sending: "正在提交…",
    thanks: "感谢您的评价",
    followup: (day) => "大厅负责人会跟进处理，最迟 " + day + " 前给出结果。",
    alreadyRated: "这次办理已经评价过了，谢谢！",
    rateFailed: "提交没有成功：",
    noShow: "您的号码已过号",
    noShowNote: "多次呼叫未到，号码已作废。如仍需办理，请到服务台咨询或重新取号。",
    cancelled: "此号码已取消",
    cancelledNote: "如仍需办理，请重新取号。",
    stale: (day) => "这是 " + day + " 的号码，已失效。",
    staleNote: "号码只在取号当天有效。如需办理，请重新取号。",
    notFound: "未找到这个号码",
    notFoundNote: "请核对二维码是否完整，或到服务台咨询。",
    offline: "暂时连不上大厅服务器，正在重试…",
    reconnecting: "正在重新连接…",
    issued: (t) => "取号时间 " + t,
    updated: (t) => "最后更新 " + t + " · 本页自动更新",
    loading: "正在加载…",
  },
  en: {
    title: "Queue status",
    other: "中文", otherLang: "zh", otherLabel: "切换到中文",
    hall: "Government Service Centre",
    yourNumber: "Your number",
    queue: (name, code) => name + " (queue " + code + ")",
    ahead: "People ahead of you",
    people: (n) => [String(n)],
    next: "You are next",
    wait: "Estimated wait",
    waitText: waitEn,
    waitingNote: "When it is your turn, this page shows which window to go to. Please stay near the hall and listen for your number.",
    held: "Your number is on hold and will be called again later.",
    transferred: (q) => "You were moved to the “" + q + "” queue.",
    callTitle: "It is your turn",
    goTo: (w) => ["Please go to window ", el("b", { class: "tk-window" }, w), " now"],
    goNow: "Bring your documents and go now.",
    recalled: "You are being called again: please hurry to the window.",
    serving: (w) => "Being served at window " + w,
    done: "Your visit is complete",
    doneNote: "Thank you for your patience.",
    rateTitle: "Rate this visit",
    rateHint: "Your rating goes straight to the hall's managers; your name is not recorded.",
    reasonsLabel: "Why? (choose any)",
    commentLabel: "Comment (optional, up to 200 characters)",
    send: "Send rating",
    sending: "Sending…",
    thanks: "Thank you for your rating",
    followup: (day) => "The hall's managers will follow this up and answer by " + day + ".",
    alreadyRated: "This visit has already been rated. Thank you!",
    rateFailed: "The rating was not sent: ",
    noShow: "Your number has been passed",
    noShowNote: "It was called several times and you did not come. If you still need service, please ask at the information desk or take a new number.",
    cancelled: "This number was cancelled",
    cancelledNote: "If you still need service, please take a new number.",
    stale: (day) => "This number was for " + day + " and is no longer valid.",
    staleNote: "Numbers are valid only on the day they are taken. Please take a new number.",
    notFound: "We could not find this number",
    notFoundNote: "Check that the QR code was scanned completely, or ask at the information desk.",
    offline: "Cannot reach the hall server right now; trying again…",
    reconnecting: "Reconnecting…",
    issued: (t) => "Taken at " + t,
    updated: (t) => "Updated " + t + " · this page updates by itself",
    loading: "Loading…",
  },
};

function waitZh(s) {
  if (s < 60) return "不到 1 分钟";
  const m = Math.round(s / 60);
  if (m < 60) return "约 " + m + " 分钟";
  return "约 " + Math.floor(m / 60) + " 小时" + (m % 60 ? " " + (m % 60) + " 分钟" : "");
}

function waitEn(s) {
  if (s < 60) return "less than a minute";
  const m = Math.round(s / 60);
  if (m < 60) return "about " + m + " min";
  return "about " + Math.floor(m / 60) + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
}

const $ = (id) => document.getElementById(id);

let lang = initialLang();
let token = tokenFromPath();
let status = null;   // the latest TicketStatus
let problem = "";    // "notfound" or "offline"
let updatedAt = 0;
let hallName = "";
let stream = null;
let connected = false;
let finished = false;

// Exposed for tests: the latest status and how many times it was fetched.
const ot = { status: null, fetches: 0, vibrated: 0 };
window.onestopTicket = ot;

function initialLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === "zh" || saved === "en") return saved;
  } catch (e) { /* storage off */ }
  return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
}

// tokenFromPath takes the token from /t/<token> as printed on the slip
// (the scheme and host may be in capitals: browsers fold those).
function tokenFromPath() {
  const m = location.pathname.match(/\/t\/([^/]+)\/?$/i);
  return m ? decodeURIComponent(m[1]) : "";
}

// ---------- fetching ----------

let inflight = false;
let again = false;

async function refresh() {
  if (finished) return;
  if (inflight) { again = true; return; }
  inflight = true;
  try {
    const before = status;
    let res = await getStatus(token);
    if (res.status === 404 && token !== token.toLowerCase()) {
      // A scanner or a hand that put the whole address in capitals.
      const lower = await getStatus(token.toLowerCase());
      if (lower.ok) { token = token.toLowerCase(); res = lower; }
    }
    if (res.ok) {
      status = await res.json();
      ot.status = status;
      problem = "";
      updatedAt = Date.now();
      noticeCall(before, status);
      if (["done", "no_show", "cancelled"].includes(status.state)) stop();
      else follow();
    } else if (res.status === 404) {
      problem = "notfound";
      stop();
    } else {
      problem = "offline";
    }
  } catch (e) {
    problem = "offline";
  } finally {
    inflight = false;
  }
  render();
  if (again) { again = false; refresh(); }
}

function getStatus(tok) {
  ot.fetches++;
  return fetch("/api/v1/tickets/status/" + encodeURIComponent(tok),
    { headers: { Accept: "application/json" }, cache: "no-store", credentials: "omit" });
}

let soonTimer = 0;

// refreshSoon gathers a burst of queue events into one fetch.
function refreshSoon() {
  if (soonTimer) return;
  soonTimer = setTimeout(() => { soonTimer = 0; refresh(); }, 250);
}

// follow subscribes to the live events once the number and queue are known.
function follow() {
  if (stream || finished) return;
  const onTicket = (d) => {
    if (!status) return;
    if (d.number === status.number && (!d.day || d.day === status.day)) refresh();
    else if (d.queue === status.queue || d.from_queue === status.queue) refreshSoon();
  };
  stream = live({
    "ticket.called": onTicket,
    "ticket.recalled": onTicket,
    "ticket.changed": onTicket,
    "queue.changed": (d) => { if (status && d.queue === status.queue) refreshSoon(); },
    reset: () => refresh(),
    open: () => {
      if (!connected && status) refresh(); // catch up after a loss
      setConnected(true);
    },
    error: () => {
      setConnected(false);
      if (stream && stream.readyState === EventSource.CLOSED) {
        stream.close();
        stream = null;
        setTimeout(follow, 5000 + Math.random() * 5000);
      }
    },
  });
}

function stop() {
  finished = true;
  if (stream) { stream.close(); stream = null; }
  setConnected(true);
}

let connTimer = 0;

function setConnected(on) {
  connected = on;
  clearTimeout(connTimer);
  if (on) $("conn").classList.add("hidden");
  else connTimer = setTimeout(() => { $("conn").classList.remove("hidden"); }, 2000);
}

// noticeCall vibrates (where the phone allows it) when the ticket is called.
function noticeCall(before, now) {
  const calledNow = now.state === "called" || now.state === "recalled";
  if (!calledNow) return;
  const same = before && before.state === now.state && before.window === now.window &&
    before.called_at === now.called_at;
  if (same) return;
  ot.vibrated++;
  try { if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]); } catch (e) { /* not allowed */ }
}

// ---------- drawing ----------

const timeFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
const secFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
const dayFmt = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });

function render() {
  const t = T[lang];
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  $("hall").textContent = hallName || t.hall;
  const btn = $("lang");
  btn.textContent = t.other;
  btn.lang = t.otherLang === "zh" ? "zh-CN" : "en";
  btn.setAttribute("aria-label", t.otherLabel);
  $("conn").textContent = t.reconnecting;

  const app = $("app");
  const foot = $("foot");
  foot.replaceChildren();
  if (!status) {
    if (problem === "notfound") {
      app.replaceChildren(message("tk-gone", t.notFound, t.notFoundNote));
      document.title = t.notFound;
    } else if (problem === "offline") {
      app.replaceChildren(el("p", { class: "tk-loading" }, t.offline));
    } else {
      app.replaceChildren(el("p", { class: "tk-loading" }, t.loading));
    }
    return;
  }
  const s = status;
  const queueName = lang === "zh" ? s.queue_name : (s.queue_name_en || s.queue_name);
  const head = el("section", { class: "tk-head" },
    el("p", { class: "tk-label" }, t.yourNumber),
    el("p", { id: "tk-number", class: "tk-number" }, s.number),
    el("p", { class: "tk-queue" }, t.queue(queueName, s.queue)));
  const today = dayFmt.format(new Date());
  const waiting = ["issued", "transferred", "held"].includes(s.state);
  let body;
  let title = s.number + " · " + t.title;
  if (waiting && s.day && s.day < today) {
    body = message("tk-gone", t.stale(s.day), t.staleNote);
  } else if (waiting) {
    const notes = [];
    if (s.state === "held") notes.push(el("p", { class: "tk-note tk-note-strong" }, t.held));
    if (s.state === "transferred") notes.push(el("p", { class: "tk-note tk-note-strong" }, t.transferred(queueName)));
    notes.push(el("p", { class: "tk-note" }, t.waitingNote));
    body = el("section", { id: "tk-state", class: "tk-waiting", "data-state": s.state },
      el("div", { class: "tk-stats" },
        el("div", { class: "tk-stat" },
          el("p", { class: "tk-stat-label" }, t.ahead),
          s.ahead === 0 ? el("p", { id: "tk-ahead", class: "tk-stat-value tk-next" }, t.next)
            : el("p", { id: "tk-ahead", class: "tk-stat-value" }, ...withUnit(t.people(s.ahead)))),
        el("div", { class: "tk-stat" },
          el("p", { class: "tk-stat-label" }, t.wait),
          el("p", { id: "tk-wait", class: "tk-stat-value tk-wait" }, s.ahead === 0 && s.estimated_wait_seconds < 60 ? "—" : t.waitText(s.estimated_wait_seconds)))),
      ...notes);
  } else if (s.state === "called" || s.state === "recalled") {
    body = el("section", { id: "tk-state", class: "tk-called", "data-state": s.state, role: "alert" },
      el("p", { class: "tk-called-title" }, t.callTitle),
      el("p", { id: "tk-go", class: "tk-go" }, ...t.goTo(s.window)),
      el("p", { class: "tk-called-note" }, s.state === "recalled" ? t.recalled : t.goNow));
    title = (lang === "zh" ? "请到" + s.window + "号窗口" : "Go to window " + s.window) + " · " + s.number;
  } else if (s.state === "serving") {
    body = el("section", { id: "tk-state", class: "tk-serving", "data-state": s.state },
      el("p", { class: "tk-big" }, t.serving(s.window)));
  } else if (s.state === "done") {
    body = el("div", {}, message("tk-done", t.done, t.doneNote), rateSection());
  } else if (s.state === "no_show") {
    body = message("tk-gone", t.noShow, t.noShowNote);
  } else if (s.state === "cancelled") {
    body = message("tk-gone", t.cancelled, t.cancelledNote);
  } else {
    body = el("section", { id: "tk-state", "data-state": s.state }, el("p", { class: "tk-note" }, s.state));
  }
  app.replaceChildren(head, body);
  document.title = title;
  if (s.issued_at) foot.append(el("span", {}, t.issued(timeFmt.format(new Date(s.issued_at)))));
  if (updatedAt) foot.append(el("span", {}, t.updated(secFmt.format(new Date(updatedAt)))));
  if (problem === "offline") foot.append(el("span", { class: "error" }, t.offline));
}

function withUnit(parts) {
  return parts.map((p, i) => (i === 0 ? p : el("span", { class: "tk-unit" }, p)));
}

function message(cls, title, note) {
  return el("section", { id: "tk-state", class: "tk-message " + cls, "data-state": status ? status.state : "unknown" },
    el("p", { class: "tk-big" }, title),
    el("p", { class: "tk-note" }, note));
}

// ---------- rating the visit (好差评) from the phone ----------

const RATED_KEY = "onestop.rated.";

// rating: the scale and reasons (GET /ratings/reasons), the citizen's
// choice, and the receipt once sent.
const rating = { levels: null, reasons: null, loading: false, level: 0, picked: new Set(), comment: "",
  sending: false, error: "", receipt: null, already: false };
let rateBox = null;

function rateSection() {
  if (!rateBox) {
    rateBox = el("section", { id: "tk-rate", class: "tk-rate" });
    try {
      const saved = localStorage.getItem(RATED_KEY + token);
      if (saved) rating.receipt = JSON.parse(saved);
    } catch (e) { /* storage off */ }
  }
  if (!rating.levels && !rating.loading && !rating.receipt) {
    rating.loading = true;
    fetch("/api/v1/ratings/reasons", { headers: { Accept: "application/json" }, credentials: "omit" })
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => { if (d) { rating.levels = d.levels; rating.reasons = d.reasons; fillRate(); } })
      .catch(() => {})
      .finally(() => { rating.loading = false; });
  }
  fillRate();
  return rateBox;
}

// fillRate draws the rating section again, keeping the focus where it was.
function fillRate() {
  if (!rateBox) return;
  const t = T[lang];
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : "";
  const name = (x) => (lang === "zh" ? x.name : x.name_en);
  if (rating.receipt || rating.already) {
    const r = rating.receipt;
    const parts = [el("p", { class: "tk-rate-title" }, rating.already ? t.alreadyRated : t.thanks)];
    if (r && r.followup) parts.push(el("p", { class: "tk-note" }, t.followup(r.followup.resolve_due)));
    rateBox.replaceChildren(...parts);
    return;
  }
  if (!rating.levels) {
    rateBox.replaceChildren();
    return;
  }
  const levels = el("div", { class: "tk-levels", role: "group", "aria-label": t.rateTitle },
    ...rating.levels.map((l) => el("button", {
      type: "button", class: "tk-level" + (l.bad ? " bad" : ""), "data-key": "level-" + l.level,
      "data-level": String(l.level), "aria-pressed": String(rating.level === l.level),
      onclick: () => {
        rating.level = l.level;
        for (const code of [...rating.picked]) {
          const r = rating.reasons.find((x) => x.code === code);
          if (!r || !r.levels.includes(l.level)) rating.picked.delete(code);
        }
        fillRate();
      },
    }, name(l))));
  const parts = [el("p", { class: "tk-rate-title" }, t.rateTitle), el("p", { class: "tk-rate-hint" }, t.rateHint), levels];
  if (rating.level) {
    const reasons = rating.reasons.filter((r) => r.levels.includes(rating.level));
    parts.push(el("p", { class: "tk-rate-label" }, t.reasonsLabel),
      el("div", { class: "tk-reasons" }, ...reasons.map((r) => el("button", {
        type: "button", class: "tk-reason", "data-key": "reason-" + r.code, "data-reason": r.code,
        "aria-pressed": String(rating.picked.has(r.code)),
        onclick: () => {
          if (rating.picked.has(r.code)) rating.picked.delete(r.code);
          else rating.picked.add(r.code);
          fillRate();
        },
      }, name(r)))));
    const comment = el("textarea", { id: "tk-comment", class: "tk-comment", "data-key": "comment", maxlength: "200", rows: "3" });
    comment.value = rating.comment;
    comment.addEventListener("input", () => { rating.comment = comment.value; });
    parts.push(el("label", { class: "tk-rate-label", for: "tk-comment" }, t.commentLabel), comment);
  }
  if (rating.error) parts.push(el("p", { class: "error", role: "alert" }, t.rateFailed + rating.error));
  parts.push(el("button", { type: "button", id: "tk-send", class: "primary tk-send", "data-key": "send",
    disabled: !rating.level || rating.sending, onclick: sendRating }, rating.sending ? t.sending : t.send));
  rateBox.replaceChildren(...parts);
  if (focused) {
    const again = rateBox.querySelector('[data-key="' + focused + '"]');
    if (again) again.focus();
  }
}

async function sendRating() {
  if (!rating.level || rating.sending) return;
  rating.sending = true;
  rating.error = "";
  fillRate();
  try {
    const res = await fetch("/api/v1/tickets/status/" + encodeURIComponent(token) + "/rating", {
      method: "POST", credentials: "omit",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ level: rating.level, reasons: [...rating.picked], comment: rating.comment.trim() }),
    });
    const data = await res.json().catch(() => null);
    if (res.ok) {
      rating.receipt = data;
      try { localStorage.setItem(RATED_KEY + token, JSON.stringify(data)); } catch (e) { /* storage off */ }
    } else if (res.status === 409) {
      rating.already = true;
    } else {
      rating.error = (data && data.message) || res.statusText;
    }
  } catch (e) {
    rating.error = T[lang].offline;
  } finally {
    rating.sending = false;
  }
  fillRate();
}

// ---------- start ----------

$("lang").addEventListener("click", () => {
  lang = T[lang].otherLang;
  try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* storage off */ }
  render();
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});

// The fallback: while the live connection is down, ask every 15 s; and
// once a minute anyway, as the estimate changes with time too.
let ticks = 0;
setInterval(() => {
  ticks++;
  if (!connected || ticks % 4 === 0) refresh();
}, POLL_MS);

fetch("/api/v1/hall", { headers: { Accept: "application/json" }, credentials: "omit" })
  .then((r) => (r.ok ? r.json() : null))
  .then((h) => { if (h && h.name) { hallName = h.name; render(); } })
  .catch(() => {});

render();
if (token) refresh();
else { problem = "notfound"; render(); }
