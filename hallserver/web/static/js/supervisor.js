// supervisor.js: the supervisor pages (值班主任) at /supervisor and
// /supervisor/{section} — one page whose sections are chosen by the path
// without reloading: the hall overview, time-limit warnings (电子监察),
// ratings and the bad-rating follow-up (好差评整改), help calls from kiosks,
// kiosk health, the link to the provincial platform, statistics, the queue
// settings, staff accounts and the service catalogue. A supervisor or an
// admin signs in; the server checks the role of every call anyway. One
// live event stream feeds the section on screen and the help-call alert,
// which shows (and chimes) on every section.
import { api, live, el } from "/static/js/api.js";
import { requireStaff, signOut } from "/static/js/login.js";
import { clock, message } from "/static/js/supervisor-util.js";
import * as overview from "/static/js/supervisor-overview.js";
import * as warnings from "/static/js/supervisor-warnings.js";
import * as application from "/static/js/supervisor-application.js";
import * as ratings from "/static/js/supervisor-ratings.js";
import * as help from "/static/js/supervisor-help.js";
import * as kiosks from "/static/js/supervisor-kiosks.js";
import * as province from "/static/js/supervisor-province.js";
import * as stats from "/static/js/supervisor-stats.js";
import * as settings from "/static/js/supervisor-settings.js";
import * as users from "/static/js/supervisor-users.js";
import * as catalogue from "/static/js/supervisor-catalogue.js";

// SECTIONS in the order of the menu; nav: false ones are reached by links.
const SECTIONS = [
  { path: "overview", zh: "大厅概况", en: "Overview", mod: overview },
  { path: "warnings", zh: "时限预警", en: "Warnings", mod: warnings },
  { path: "ratings", zh: "好差评", en: "Ratings", mod: ratings },
  { path: "help", zh: "呼叫求助", en: "Help calls", mod: help },
  { path: "kiosks", zh: "自助终端", en: "Kiosks", mod: kiosks },
  { path: "province", zh: "省平台", en: "Province", mod: province },
  { path: "stats", zh: "统计", en: "Statistics", mod: stats },
  { path: "settings", zh: "叫号规则", en: "Settings", mod: settings },
  { path: "users", zh: "账号", en: "Users", mod: users },
  { path: "catalogue", zh: "事项目录", en: "Catalogue", mod: catalogue },
  { path: "application", zh: "办件详情", en: "Application", mod: application, nav: false },
];

const app = document.getElementById("app");
const S = { me: null, day: "", hall: null, current: null, section: null, links: {}, helpOpen: 0 };

start();

async function start() {
  const me = await requireStaff(["supervisor", "admin"], "值班主任 Supervisor");
  S.me = me;
  try {
    const [hall, ov] = await Promise.all([api("GET", "/hall"), api("GET", "/overview")]);
    S.hall = hall;
    S.day = ov.day;
  } catch (e) {
    app.replaceChildren(el("p", { class: "error", role: "alert" }, "无法连接大厅服务器 Cannot reach the hall server: ", message(e)));
    return;
  }
  buildShell();
  connect();
  refreshHelpCount();
  window.addEventListener("popstate", () => show(location.pathname));
  show(location.pathname, true);
}

// ctx is what a section is given.
function ctx() {
  return { me: S.me, day: S.day, hall: S.hall, go, helpChanged: refreshHelpCount };
}

let shell;

function buildShell() {
  const nav = el("nav", { class: "sv-nav", "aria-label": "值班主任 Supervisor" });
  const list = el("ul", {});
  for (const s of SECTIONS) {
    if (s.nav === false) continue;
    const badge = s.path === "help" ? el("span", { class: "sv-count hidden", id: "help-count", "aria-label": "未处理呼叫 open calls" }) : null;
    const a = el("a", { href: "/supervisor/" + s.path, "data-section": s.path }, el("span", {}, s.zh), el("span", { class: "en", lang: "en" }, s.en), badge);
    a.addEventListener("click", (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      go("/supervisor/" + s.path);
    });
    S.links[s.path] = a;
    list.append(el("li", {}, a));
  }
  nav.append(list);
  const liveDot = el("span", { class: "sv-live off", id: "live-state", role: "status" }, "连接中 Connecting");
  const sound = el("button", { type: "button", class: "sv-sound", id: "sound-toggle", "aria-pressed": "true" }, "提示音 开 Sound on");
  sound.addEventListener("click", () => {
    chime.enabled = !chime.enabled;
    sound.setAttribute("aria-pressed", String(chime.enabled));
    sound.textContent = chime.enabled ? "提示音 开 Sound on" : "提示音 关 Sound off";
    if (chime.enabled) chime.unlock();
  });
  const head = el("header", { class: "sv-head" },
    el("div", { class: "sv-brand" },
      el("strong", {}, S.hall && S.hall.name || "政务服务中心"),
      el("span", { class: "muted" }, " 值班主任 Supervisor")),
    el("div", { class: "sv-who" },
      liveDot, sound,
      el("span", { id: "who" }, S.me.display_name || S.me.username, el("span", { class: "muted" }, " " + S.me.username)),
      el("button", { type: "button", id: "sign-out", onclick: signOut }, "退出 Sign out")));
  const alert = el("div", { class: "sv-alert hidden", id: "help-alert", role: "alert" });
  const section = el("section", { class: "sv-section", id: "section", tabindex: "-1" });
  shell = { nav, section, alert, liveDot };
  app.replaceChildren(head, alert, el("div", { class: "sv-body" }, nav, section));
}

// go shows the section at path and records it in the history.
function go(path) {
  if (path !== location.pathname + location.hash) history.pushState(null, "", path);
  show(location.pathname);
}

// show mounts the section the path names.
function show(path, first) {
  const name = path.replace(/^\/supervisor\/?/, "").split("/")[0] || "overview";
  const sec = SECTIONS.find((s) => s.path === name);
  if (S.current && S.current.unmount) S.current.unmount();
  S.current = null;
  for (const [p, a] of Object.entries(S.links)) {
    if (p !== name) { a.removeAttribute("aria-current"); continue; }
    a.setAttribute("aria-current", "page");
    const strip = a.closest("ul"); // on a phone the menu scrolls sideways: show the current one
    if (strip.scrollWidth > strip.clientWidth) strip.scrollLeft = a.parentNode.offsetLeft - strip.offsetLeft - 8;
  }
  shell.section.replaceChildren();
  if (!sec) {
    document.title = "未找到 Not found · 值班主任";
    shell.section.append(el("h1", {}, "没有这个页面 No such page"),
      el("p", {}, el("a", { href: "/supervisor/overview" }, "返回大厅概况 Back to the overview")));
    return;
  }
  S.section = sec.path;
  document.title = sec.zh + " " + sec.en + " · 值班主任";
  S.current = sec.mod.mount(shell.section, ctx()) || {};
  if (!first) shell.section.focus({ preventScroll: true });
}

// connect follows the hall's live events for the section on screen and
// for the help-call alert.
function connect() {
  const forward = (type) => (data) => {
    if (S.current && S.current.onEvent) S.current.onEvent(type, data);
  };
  const handlers = {};
  for (const t of ["queue.changed", "ticket.called", "ticket.recalled", "ticket.changed", "window.changed", "settings.changed"]) {
    handlers[t] = forward(t);
  }
  handlers["kiosk.help"] = (data) => {
    forward("kiosk.help")(data);
    if (data.state === "open") helpAlert(data);
    refreshHelpCount();
  };
  handlers.reset = () => { forward("reset")({}); refreshHelpCount(); };
  handlers.open = () => {
    shell.liveDot.className = "sv-live";
    shell.liveDot.textContent = "实时 Live";
  };
  handlers.error = () => {
    shell.liveDot.className = "sv-live off";
    shell.liveDot.textContent = "重新连接中 Reconnecting";
  };
  live(handlers);
}

// helpAlert shows a kiosk's help call on every section, with a chime.
function helpAlert(ev) {
  const a = shell.alert, kiosk = ev.kiosk || "?", when = clock(ev.at);
  const link = el("a", { href: "/supervisor/help" }, "去处理 Go to help calls");
  link.addEventListener("click", (ev) => { ev.preventDefault(); go("/supervisor/help"); });
  a.replaceChildren(
    el("span", { class: "sv-alert-icon", "aria-hidden": "true" }, "!"),
    el("span", { class: "sv-alert-text" }, kiosk + " 号自助终端呼叫工作人员", el("span", { class: "en", lang: "en" }, "Kiosk " + kiosk + " calls for staff help"), el("span", { class: "muted" }, " " + when)),
    link,
    el("button", { type: "button", class: "sv-alert-close", onclick: () => a.classList.add("hidden") }, "知道了 Dismiss"));
  a.classList.remove("hidden", "flash");
  void a.offsetWidth; // restart the flash
  a.classList.add("flash");
  a.dataset.sound = "pending";
  chime.play().then((played) => { a.dataset.sound = played ? "played" : "blocked"; });
}

// refreshHelpCount shows the open help calls on the menu.
async function refreshHelpCount() {
  try {
    const calls = await api("GET", "/kiosks/help");
    S.helpOpen = calls.length;
  } catch (e) {
    return;
  }
  const b = document.getElementById("help-count");
  if (!b) return;
  b.textContent = String(S.helpOpen);
  b.classList.toggle("hidden", S.helpOpen === 0);
  if (S.helpOpen === 0) shell.alert.classList.add("hidden");
}

// chime plays two soft tones through Web Audio (no sound file: the CSP
// and a hall without internet). Browsers start audio only after the page
// had a click or key: the first one unlocks it.
const chime = {
  enabled: true,
  ctx: null,
  unlock() {
    try {
      if (!this.ctx) this.ctx = new (window.AudioContext || window.webkitAudioContext)();
      if (this.ctx.state === "suspended") this.ctx.resume();
    } catch (e) { this.ctx = null; }
  },
  // play resolves to whether the tones were played.
  async play() {
    if (!this.enabled) return false;
    this.unlock();
    const c = this.ctx;
    if (!c) return false;
    if (c.state !== "running") {
      try {
        await Promise.race([c.resume(), new Promise((r) => setTimeout(r, 300))]);
      } catch (e) { return false; }
      if (c.state !== "running") return false;
    }
    const t = c.currentTime;
    [[880, 0], [660, 0.28]].forEach(([f, at]) => {
      const o = c.createOscillator(), g = c.createGain();
      o.type = "sine";
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t + at);
      g.gain.exponentialRampToValueAtTime(0.3, t + at + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.5);
      o.connect(g).connect(c.destination);
      o.start(t + at);
      o.stop(t + at + 0.55);
    });
    return true;
  },
};
for (const ev of ["pointerdown", "keydown"]) document.addEventListener(ev, () => chime.unlock(), { once: true });
