// console.js: the counter console (窗口工作台) at /console. Counter staff
// (or a supervisor) sign in, choose their window and open it, then call,
// recall, start, finish (with the outcome, accepting or linking an
// application), mark no-shows, transfer and hold tickets. The window's
// queues, its current ticket, held tickets and recent calls follow the
// hall's live events without reloading. Keyboard shortcuts (N R S F X T H)
// work while no input has the focus; a narrow screen (掌上办理) gets one
// column of big buttons.
import { api, live, el, ApiError } from "/static/js/api.js";
import { requireStaff, signOut } from "/static/js/login.js";

const app = document.getElementById("app");
const WINDOW_KEY = "onestop.console.window"; // the window this browser works at

// Words for the ticket states and priority classes.
const STATES = {
  issued: ["等候", "waiting"], called: ["已呼叫", "called"], recalled: ["已重呼", "recalled"],
  serving: ["办理中", "serving"], done: ["已办结", "done"], no_show: ["未到", "no-show"],
  cancelled: ["已取消", "cancelled"], transferred: ["已转移", "transferred"], held: ["暂挂", "on hold"],
};
const PRIORITIES = {
  elderly: "老年人优先 Elderly", disabled: "残疾人优先 Disabled", pregnant: "孕妇优先 Pregnant",
  appointment: "预约 Appointment", green: "绿色通道 Green lane",
};
// Chinese words before the server's own message, by error code.
const ERRORS = {
  conflict: "当前状态不允许此操作", nothing_waiting: "现在没有人等候", forbidden: "无权进行此操作",
  unauthenticated: "登录已过期，请重新登录", invalid_request: "填写有误", not_found: "未找到",
  rate_limited: "操作太频繁，请稍后再试", too_large: "内容太长", unavailable: "服务器暂时不可用",
  internal: "服务器出错",
};
// What a finish records as its outcome (the action's reason).
const OUTCOMES = [
  { id: "served", zh: "已办结", en: "Served" },
  { id: "application", zh: "受理办件", en: "Application accepted" },
  { id: "enquiry", zh: "仅咨询", en: "Enquiry only" },
  { id: "materials", zh: "材料不全，已一次性告知", en: "Materials incomplete, told what is missing" },
  { id: "other", zh: "其他", en: "Other" },
];
const ACTIVE = ["called", "recalled", "serving"];

const S = {
  me: null, cat: null, n: 0, // the staff member, the catalogue, our window's number
  overview: null, tickets: [], current: null,
  busy: false, panel: null, // the open form: {kind, number, node}
  seq: 0, timer: 0, es: null, ui: null,
  calledHere: new Set(), // numbers called at this window (they may have moved on since)
};

function words(pair) { return pair[0] + " " + pair[1]; }

function message(e) {
  if (!(e instanceof ApiError)) return String(e && e.message || e);
  if (e.status === 0) return e.message;
  const zh = ERRORS[e.code];
  return zh ? zh + "：" + e.message : e.message;
}

function time(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Shanghai" });
}

function queueOf(code) { return S.cat.queues.find((q) => q.code === code); }
function queueName(code) { const q = queueOf(code); return q ? code + " " + q.name : code; }
function itemOf(code) { return S.cat.items.find((i) => i.code === code); }
function windowOf(n) { return S.cat.windows.find((w) => w.number === n); }
function myWindow() { return windowOf(S.n); }
function myQueues() { return myWindow() ? myWindow().queues : []; }

// --- start ------------------------------------------------------------------

async function main() {
  S.me = await requireStaff(["counter", "supervisor"], "窗口工作台 Counter console");
  S.cat = await api("GET", "/catalogue");
  const saved = Number(localStorage.getItem(WINDOW_KEY));
  if (saved && windowOf(saved)) {
    try {
      await api("POST", "/windows/" + saved + "/open");
      return workspace(saved);
    } catch (e) {
      return chooser(message(e));
    }
  }
  chooser("");
}

function header(title, ...extra) {
  return el("header", { class: "c-head" },
    el("h1", {}, title),
    el("div", { class: "c-who" },
      ...extra,
      el("span", { id: "who", class: "muted" }, S.me.display_name || S.me.username),
      el("button", { id: "sign-out", type: "button", onclick: () => signOut() }, "退出", el("span", { class: "c-en" }, " Sign out"))));
}

// chooser lists the windows; a tap opens one.
async function chooser(err) {
  stopLive();
  S.n = 0;
  S.ui = null;
  closePanel();
  const msg = el("p", { id: "choose-error", class: "error", role: "alert" }, err);
  const grid = el("div", { class: "c-windows" });
  app.replaceChildren(
    header("窗口工作台 Counter console"),
    el("section", { id: "window-choose", class: "card" },
      el("h2", {}, "选择您的窗口 Choose your window"), msg, grid));
  let ov;
  try {
    ov = await api("GET", "/overview");
  } catch (e) {
    msg.textContent = message(e);
    return;
  }
  for (const w of ov.windows || []) {
    const status = w.open ? "在岗 " + (w.staff || "") + " · Open" : "未开 Closed";
    grid.append(el("button", {
      type: "button", id: "window-" + w.number, class: "c-window" + (w.open ? " open" : ""),
      onclick: async () => {
        msg.textContent = "";
        try {
          await api("POST", "/windows/" + w.number + "/open");
          workspace(w.number);
        } catch (e) {
          msg.textContent = message(e);
        }
      },
    },
    el("strong", {}, w.name), el("span", {}, (w.queues || []).map(queueName).join("、")),
    el("span", { class: "c-wstate" }, status)));
  }
}

// --- the window -----------------------------------------------------------------

// A button of the action bar: its words and its key.
function actionButton(id, key, zh, en, cls, fn) {
  return el("button", { id, type: "button", class: "c-act " + (cls || ""), "data-key": key, "aria-keyshortcuts": key, onclick: fn },
    el("span", { class: "c-label" }, zh, el("small", {}, en)), el("kbd", {}, key));
}

function workspace(n) {
  S.n = n;
  S.calledHere = new Set();
  S.tickets = [];
  S.current = null;
  localStorage.setItem(WINDOW_KEY, String(n));
  const w = myWindow();
  const ui = S.ui = {
    liveDot: el("span", { id: "live", class: "c-live", title: "实时更新 live updates" }, "○ 连接中 Connecting"),
    closed: el("div", { id: "closed-banner", class: "card c-closed hidden" }),
    number: el("div", { id: "cur-number", class: "c-number" }),
    state: el("div", { id: "cur-state", class: "c-state" }),
    meta: el("dl", { id: "cur-meta", class: "c-meta" }),
    error: el("p", { id: "action-error", class: "error", role: "alert" }),
    note: el("p", { id: "action-note", class: "c-note", role: "status" }),
    panel: el("div", { id: "panel" }),
    queues: el("ul", { id: "queues", class: "c-queues" }),
    held: el("ul", { id: "held", class: "c-list" }),
    recent: el("ul", { id: "recent", class: "c-list" }),
  };
  ui.buttons = {
    next: actionButton("act-next", "N", "呼叫下一位", "Call next", "primary", () => act("call-next")),
    recall: actionButton("act-recall", "R", "重呼", "Recall", "", () => act("recall")),
    start: actionButton("act-start", "S", "开始办理", "Start", "", () => act("start")),
    finish: actionButton("act-finish", "F", "办结", "Finish", "", () => openPanel("finish")),
    noshow: actionButton("act-noshow", "X", "未到", "No-show", "", () => act("no-show")),
    transfer: actionButton("act-transfer", "T", "转移", "Transfer", "", () => openPanel("transfer")),
    hold: actionButton("act-hold", "H", "暂挂", "Hold", "", () => openPanel("hold")),
  };
  app.replaceChildren(
    header(w.name + " " + w.name_en, ui.liveDot,
      el("button", { id: "close-window", type: "button", onclick: closeWindow }, "关闭窗口", el("span", { class: "c-en" }, " Close window"))),
    ui.closed,
    el("div", { class: "c-main" },
      el("section", { id: "current", class: "card c-current" },
        el("h2", {}, "当前号 Now serving"), el("div", { "aria-live": "polite" }, ui.number, ui.state), ui.meta,
        el("div", { class: "c-actions" }, Object.values(ui.buttons)),
        ui.error, ui.note, ui.panel),
      el("aside", { class: "c-side" },
        el("section", { class: "card" }, el("h2", {}, "等候人数 Waiting"), ui.queues),
        el("section", { class: "card" }, el("h2", {}, "暂挂与转来 On hold and sent here"), ui.held),
        el("section", { class: "card" }, el("h2", {}, "本窗口最近呼叫 Recent calls"), ui.recent))));
  startLive();
  refresh();
}

// --- live state ---------------------------------------------------------------

function startLive() {
  stopLive();
  const setLive = (on) => {
    if (!S.ui) return;
    S.ui.liveDot.textContent = on ? "● 实时 Live" : "○ 重新连接中 Reconnecting";
    S.ui.liveDot.classList.toggle("off", !on);
  };
  S.es = live({
    open: () => setLive(true),
    error: () => setLive(false),
    reset: () => refresh(),
    "queue.changed": (d) => {
      const q = S.overview && (S.overview.queues || []).find((x) => x.code === d.queue);
      if (q) { q.waiting = d.waiting; renderQueues(); }
    },
    "ticket.called": onTicket,
    "ticket.recalled": onTicket,
    "ticket.changed": onTicket,
    "window.changed": (d) => { if (d.window === String(S.n)) refreshSoon(); },
    "settings.changed": () => {},
  });
}

function stopLive() {
  if (S.es) { S.es.close(); S.es = null; }
  clearTimeout(S.timer);
}

// onTicket refreshes when an event touches this window, its held or
// sent-here tickets, or a ticket put on hold in one of its queues.
function onTicket(d) {
  const me = String(S.n);
  if (d.type === "ticket.called" && d.window === me) S.calledHere.add(d.number);
  if (d.window === me || d.from_window === me || S.tickets.some((t) => t.number === d.number && aside(t)) ||
      (d.state === "held" && myQueues().includes(d.queue))) {
    refreshSoon();
  }
}

function refreshSoon() {
  clearTimeout(S.timer);
  S.timer = setTimeout(refresh, 80);
}

// refresh reads the hall (overview) and today's tickets; a later refresh
// or an action's answer makes an earlier one's answer stale.
async function refresh() {
  if (!S.n) return;
  const seq = ++S.seq;
  try {
    const [ov, tickets] = await Promise.all([api("GET", "/overview"), api("GET", "/tickets")]);
    if (seq !== S.seq || !S.ui) return;
    S.overview = ov;
    S.tickets = tickets || [];
    const me = String(S.n);
    S.current = S.tickets.filter((t) => t.window === me && ACTIVE.includes(t.state))
      .sort((a, b) => (b.called_at || "").localeCompare(a.called_at || ""))[0] || null;
    render();
  } catch (e) {
    if (seq === S.seq) fail(e);
  }
}

// aside: a ticket waiting for this window: held in its queues (or for it),
// or sent here by another window.
function aside(t) {
  const me = String(S.n);
  if (t.state === "held") return t.target_window === me || (!t.target_window && myQueues().includes(t.queue));
  return t.state === "transferred" && t.target_window === me;
}

// --- rendering ------------------------------------------------------------------

function render() {
  const ui = S.ui;
  if (!ui) return;
  const win = S.overview && (S.overview.windows || []).find((w) => w.number === S.n);
  const open = !!(win && win.open);
  ui.closed.classList.toggle("hidden", open);
  if (!open) {
    ui.closed.replaceChildren(
      el("p", {}, "本窗口已关闭 This window is closed."),
      el("button", { type: "button", class: "primary", id: "reopen", onclick: async () => {
        try { await api("POST", "/windows/" + S.n + "/open"); refresh(); } catch (e) { fail(e); }
      } }, "重新打开 Open again"),
      " ",
      el("button", { type: "button", onclick: () => { localStorage.removeItem(WINDOW_KEY); chooser(""); } }, "选择其他窗口 Choose another window"));
  }
  const t = S.current;
  ui.number.textContent = t ? t.number : "—";
  ui.number.classList.toggle("empty", !t);
  ui.state.textContent = t ? words(STATES[t.state] || [t.state, ""]) : "空闲 · 按 N 呼叫下一位 Free · press N to call next";
  ui.state.className = "c-state " + (t ? "s-" + t.state : "");
  const meta = [];
  if (t) {
    meta.push(["队列 Queue", queueName(t.queue)]);
    const item = t.item && itemOf(t.item);
    if (item) meta.push(["事项 Item", item.name]);
    if (t.priority) meta.push(["优先 Priority", PRIORITIES[t.priority] || t.priority]);
    if (t.called_at) meta.push(["呼叫 Called", time(t.called_at) + (t.recalls ? " · 已重呼 " + t.recalls + " 次 recalled " + t.recalls + "×" : "")]);
    if (t.started_at) meta.push(["开始 Started", time(t.started_at)]);
    if (t.return_queue) meta.push(["办完回到 Returns to", queueName(t.return_queue) + (t.return_window ? " · " + t.return_window + "号窗口" : "")]);
  }
  ui.meta.replaceChildren(...meta.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const st = t ? t.state : "";
  const can = {
    next: open && !t, recall: ["called", "recalled"].includes(st), start: ["called", "recalled"].includes(st),
    finish: st === "serving", noshow: ["called", "recalled"].includes(st), transfer: ACTIVE.includes(st), hold: ACTIVE.includes(st),
  };
  for (const [k, b] of Object.entries(ui.buttons)) b.disabled = S.busy || !can[k];
  if (S.panel && (!t || t.number !== S.panel.number)) closePanel();
  renderQueues();
  renderAside();
}

function renderQueues() {
  const ui = S.ui;
  if (!ui || !S.overview) return;
  ui.queues.replaceChildren(...myQueues().map((code) => {
    const q = (S.overview.queues || []).find((x) => x.code === code);
    return el("li", { id: "waiting-" + code },
      el("span", { class: "c-qname" }, queueName(code), el("small", {}, q ? q.name_en : "")),
      el("span", { class: "c-count" }, q ? String(q.waiting) : "–"), el("small", {}, "人 waiting"));
  }));
}

function renderAside() {
  const ui = S.ui;
  const me = String(S.n);
  const aside_ = S.tickets.filter(aside).sort((a, b) => (a.hold_until || "").localeCompare(b.hold_until || ""));
  ui.held.replaceChildren(...(aside_.length ? aside_.map((t) => el("li", { id: "aside-" + t.number },
    el("strong", {}, t.number),
    el("span", { class: "c-tag s-" + t.state }, words(STATES[t.state] || [t.state, ""])),
    el("span", { class: "muted" }, t.state === "held"
      ? "至 " + time(t.hold_until) + " until" + (t.target_window === me ? " · 仅本窗口 this window only" : "")
      : "从其他窗口转来 sent here"),
    el("button", { type: "button", class: "c-small", disabled: S.busy || !!S.current,
      onclick: () => act("call", { number: t.number, reason: t.state === "held" ? "暂挂后呼叫 called back from hold" : "转来本窗口 sent to this window" }) },
    "呼叫 Call"))) : [el("li", { class: "muted" }, "无 None")]));
  // Recent calls: tickets at this window, and those called here that
  // moved on (transferred, held), with where they are now.
  for (const c of (S.overview && S.overview.recent_calls) || []) if (c.window === me) S.calledHere.add(c.number);
  const recent = S.tickets.filter((t) => t.called_at && (t.window === me || S.calledHere.has(t.number)))
    .sort((a, b) => b.called_at.localeCompare(a.called_at)).slice(0, 8);
  ui.recent.replaceChildren(...(recent.length ? recent.map((t) => el("li", { id: "recent-" + t.number },
    el("strong", {}, t.number), el("span", { class: "c-tag s-" + t.state }, words(STATES[t.state] || [t.state, ""])),
    t.state === "transferred" ? el("span", {}, "→ " + queueName(t.queue) + (t.target_window ? " · " + t.target_window + "号窗口" : "")) : null,
    t.window && t.window !== me ? el("span", {}, "@ " + t.window + "号窗口") : null,
    el("span", { class: "muted" }, time(t.called_at)))) : [el("li", { class: "muted" }, "今天还没有呼叫 No calls yet today")]));
}

function fail(e) {
  if (!S.ui) return;
  S.ui.error.textContent = message(e);
  if (e instanceof ApiError && e.status === 401) {
    S.ui.error.append(" ", el("button", { type: "button", onclick: () => location.reload() }, "重新登录 Sign in again"));
  }
}

// --- actions -------------------------------------------------------------------

// act runs a window action; the answer is the ticket after it.
async function act(path, body) {
  if (S.busy || !S.ui) return null;
  S.busy = true;
  S.ui.error.textContent = "";
  S.ui.note.textContent = "";
  render();
  try {
    const t = await api("POST", "/windows/" + S.n + "/" + path, body);
    S.seq++; // an older refresh's answer is stale now
    if (t) S.tickets = [...S.tickets.filter((x) => x.id !== t.id), t];
    if (t && (path === "call-next" || path === "call")) S.calledHere.add(t.number);
    S.current = t && t.window === String(S.n) && ACTIVE.includes(t.state) ? t : null;
    if (t && !S.current) S.ui.note.textContent = doneNote(path, t);
    if (t && t.out_of_order && t.reason) S.ui.note.textContent = "不按顺序 Out of order: " + t.reason;
    return t;
  } catch (e) {
    fail(e);
    return null;
  } finally {
    S.busy = false;
    render();
    refreshSoon();
  }
}

function doneNote(path, t) {
  switch (t.state) {
    case "done": return t.number + " 已办结 finished";
    case "no_show": return t.number + " 记为未到 marked no-show";
    case "held": return t.number + " 暂挂至 " + time(t.hold_until) + " on hold until " + time(t.hold_until);
    case "transferred":
      return t.number + " 已转到 sent to " + queueName(t.queue) + (t.target_window ? " · " + t.target_window + "号窗口 window " + t.target_window : "") +
        (t.return_queue ? "，办完回到本窗口 comes back when finished" : "");
    default: return t.number + " " + words(STATES[t.state] || [t.state, ""]);
  }
}

async function closeWindow() {
  S.ui.error.textContent = "";
  try {
    await api("POST", "/windows/" + S.n + "/close");
    localStorage.removeItem(WINDOW_KEY);
    chooser("");
  } catch (e) {
    fail(e);
  }
}

// --- the forms: finish, transfer, hold ---------------------------------------------

function openPanel(kind) {
  const t = S.current;
  if (!t || S.busy) return;
  const build = { finish: finishForm, transfer: transferForm, hold: holdForm }[kind];
  const { node, focus } = build(t);
  S.panel = { kind, number: t.number, node };
  S.ui.error.textContent = "";
  S.ui.panel.replaceChildren(node);
  focus.focus();
}

function closePanel() {
  S.panel = null;
  if (S.ui) S.ui.panel.replaceChildren();
}

function panel(id, title, t, onsubmit, confirmText, ...fields) {
  const confirm = el("button", { type: "submit", class: "primary", id: id + "-confirm" }, confirmText);
  const form = el("form", { id, class: "c-panel" },
    el("h3", {}, title + " " + t.number),
    ...fields,
    el("div", { class: "c-panel-buttons" }, confirm,
      el("button", { type: "button", id: id + "-cancel", onclick: closePanel }, "取消 Cancel", el("span", { class: "c-keyhint" }, " (Esc)"))));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); onsubmit(); });
  return { form, confirm };
}

function radio(name, value, label, checked) {
  return el("label", { class: "c-choice" }, el("input", { type: "radio", name, value, id: name + "-" + value, checked }), " ", label);
}

function finishForm(t) {
  const outcomes = el("fieldset", { class: "c-outcomes" }, el("legend", {}, "结果 Outcome"),
    OUTCOMES.map((o, i) => radio("outcome", o.id, o.zh + " " + o.en, i === 0)));
  const other = el("input", { id: "outcome-text", maxlength: 200, placeholder: "说明 Describe", "aria-label": "其他结果 Other outcome" });
  // The application: accepted now (new) or already on file (link).
  const itemSel = el("select", { id: "app-item" }, itemOptions(t));
  const name = el("input", { id: "app-name", autocomplete: "off", maxlength: 60 });
  const idno = el("input", { id: "app-id", autocomplete: "off", maxlength: 22, spellcheck: "false" });
  const note = el("input", { id: "app-note", maxlength: 200 });
  const linkNo = el("input", { id: "app-link", autocomplete: "off", placeholder: "520000-ZWFW-20260302-00001", spellcheck: "false" });
  const newBox = el("div", { class: "c-fields" },
    el("label", {}, "事项 Service item", itemSel),
    el("label", {}, "申请人姓名 Applicant's name", name),
    el("label", {}, "身份证号 ID number", idno),
    el("label", {}, "备注 Note", note));
  const linkBox = el("div", { class: "c-fields hidden" }, el("label", {}, "办件编号 Application number", linkNo));
  const mode = el("fieldset", { class: "c-appmode" }, el("legend", {}, "办件 Application"),
    radio("appmode", "new", "新受理 Accept a new one", true), radio("appmode", "link", "关联已有办件 Link one on file", false));
  const appBox = el("div", { id: "app-box", class: "c-app hidden" }, mode, newBox, linkBox);
  let accepted = null; // the application accepted by this form, so a retry does not accept it twice
  const sync = () => {
    const o = form.querySelector("input[name=outcome]:checked").value;
    other.classList.toggle("hidden", o !== "other");
    appBox.classList.toggle("hidden", o !== "application");
    const link = form.querySelector("input[name=appmode]:checked").value === "link";
    newBox.classList.toggle("hidden", link);
    linkBox.classList.toggle("hidden", !link);
  };
  const submit = async () => {
    const o = OUTCOMES.find((x) => x.id === form.querySelector("input[name=outcome]:checked").value);
    let reason = o.zh + " " + o.en;
    if (o.id === "other") {
      if (!other.value.trim()) { S.ui.error.textContent = "请说明结果 Describe the outcome"; other.focus(); return; }
      reason = "其他 Other: " + other.value.trim();
    }
    if (o.id === "application") {
      const link = form.querySelector("input[name=appmode]:checked").value === "link";
      try {
        if (link) {
          const no = linkNo.value.trim();
          if (!no) { S.ui.error.textContent = "请填写办件编号 Enter the application number"; linkNo.focus(); return; }
          const a = await api("GET", "/applications/" + encodeURIComponent(no));
          reason = "关联办件 Linked application " + a.number;
        } else {
          if (!accepted) {
            accepted = await api("POST", "/applications", {
              ticket_id: t.id, item: itemSel.value || undefined, applicant_name: name.value.trim(),
              applicant_id: idno.value.replace(/\s+/g, ""), window: String(S.n), note: note.value.trim() || undefined,
            });
            idno.value = ""; // the full ID number stays on the page no longer than needed
          }
          reason = "受理办件 Application accepted " + accepted.number;
        }
      } catch (e) {
        fail(e);
        return;
      }
    }
    const done = await act("finish", { reason });
    if (accepted) showAccepted(accepted);
    if (done) closePanel();
  };
  const { form } = panel("finish", "办结 Finish", t, submit, ["确认办结 Finish", el("span", { class: "c-keyhint" }, " (Enter)")], outcomes, other, appBox);
  form.addEventListener("change", sync);
  sync();
  return { node: form, focus: form.querySelector("#finish-confirm") };
}

// showAccepted puts the new application's number where staff see it.
function showAccepted(a) {
  S.ui.note.replaceChildren("已受理办件 Application accepted: ", el("strong", { id: "app-number" }, a.number),
    " · " + a.item_name + " · " + a.applicant_name + " " + a.applicant_id_masked);
}

function itemOptions(t) {
  const order = [t.queue, ...myQueues(), ...S.cat.queues.map((q) => q.code)].filter((q, i, a) => a.indexOf(q) === i);
  const opts = [el("option", { value: "" }, t.item ? "按取号事项 As on the ticket" : "— 请选择事项 Choose the item —")];
  for (const q of order) {
    const items = S.cat.items.filter((i) => i.queue === q);
    if (items.length) opts.push(el("optgroup", { label: queueName(q) }, items.map((i) => el("option", { value: i.code }, i.code + " " + i.name))));
  }
  return opts;
}

function transferForm(t) {
  const queueSel = el("select", { id: "to-queue" }, el("option", { value: "" }, "不换队列 Same queue"),
    S.cat.queues.filter((q) => q.code !== t.queue).map((q) => el("option", { value: q.code }, q.code + " " + q.name + " " + q.name_en)));
  const winSel = el("select", { id: "to-window" }, el("option", { value: "" }, "任一窗口 Any window"),
    S.cat.windows.filter((w) => w.number !== S.n).map((w) => {
      const st = S.overview && (S.overview.windows || []).find((x) => x.number === w.number);
      return el("option", { value: String(w.number) }, w.name + " · " + w.queues.join(" ") + (st && st.open ? " · 在岗 open" : " · 未开 closed"));
    }));
  const ret = el("input", { type: "checkbox", id: "to-return" });
  const reason = el("input", { id: "to-reason", maxlength: 200 });
  const submit = async () => {
    const body = { return: ret.checked };
    if (queueSel.value) body.to_queue = queueSel.value;
    if (winSel.value) body.to_window = Number(winSel.value);
    if (!body.to_queue && !body.to_window) { S.ui.error.textContent = "请选择队列或窗口 Choose a queue or a window"; queueSel.focus(); return; }
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (await act("transfer", body)) closePanel();
  };
  const { form } = panel("transfer", "转移 Transfer", t, submit, "确认转移 Transfer",
    el("div", { class: "c-fields" },
      el("label", {}, "转到队列 To queue", queueSel),
      el("label", {}, "指定窗口 To window", winSel),
      el("label", { class: "c-check" }, ret, " 办完后回到本窗口 Come back to this window when finished"),
      el("label", {}, "原因 Reason", reason)));
  return { node: form, focus: queueSel };
}

function holdForm(t) {
  const minutes = el("input", { id: "hold-minutes", type: "number", min: 1, max: 240, value: 10, inputmode: "numeric" });
  const presets = el("div", { class: "c-presets" }, [5, 10, 15, 30, 60].map((m) =>
    el("button", { type: "button", class: "c-small", onclick: () => { minutes.value = m; } }, m + " 分钟")));
  const ret = el("input", { type: "checkbox", id: "hold-return", checked: true });
  const reason = el("input", { id: "hold-reason", maxlength: 200, placeholder: "例如 取材料 e.g. fetching a document" });
  const submit = async () => {
    const m = Number(minutes.value);
    if (!(m >= 1 && m <= 240)) { S.ui.error.textContent = "暂挂时间为 1–240 分钟 Hold for 1 to 240 minutes"; minutes.focus(); return; }
    const body = { hold_seconds: Math.round(m * 60), return: ret.checked };
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (await act("hold", body)) closePanel();
  };
  const { form } = panel("hold", "暂挂 Hold", t, submit, "确认暂挂 Hold",
    el("div", { class: "c-fields" },
      el("label", {}, "暂挂多久（分钟） For how long (minutes)", minutes), presets,
      el("label", { class: "c-check" }, ret, " 只由本窗口再呼叫 Only this window calls it afterwards"),
      el("label", {}, "原因 Reason", reason)));
  return { node: form, focus: minutes };
}

// --- keyboard ------------------------------------------------------------------------

document.addEventListener("keydown", (ev) => {
  if (!S.ui || ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
  if (S.panel) { // a form is open: only Esc, which closes it
    if (ev.key === "Escape") { ev.preventDefault(); closePanel(); }
    return;
  }
  const tgt = ev.target;
  if (tgt instanceof HTMLElement && (tgt.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(tgt.tagName))) return;
  const key = ev.key.length === 1 ? ev.key.toUpperCase() : "";
  const b = key && Object.values(S.ui.buttons).find((x) => x.dataset.key === key);
  if (!b) return;
  ev.preventDefault();
  if (!b.disabled) b.click();
});

main().catch((e) => {
  app.replaceChildren(el("p", { class: "error", role: "alert" }, message(e)));
});
