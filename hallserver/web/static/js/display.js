// display.js: the call display board at /display, for a TV in the hall.
// It shows each open window's current number, the latest calls and how
// many wait in each queue, follows the hall's live events without reload,
// and announces every call and recall aloud in Chinese after a chime —
// one announcement at a time, never cutting one off.
//
// URL parameters: ?repeat=N says each announcement N times (1–5, default
// 2); ?sound=off keeps the board silent; ?en=1 adds an English sentence.
//
// window.onestopDisplay exposes the announcements for tests and
// technicians: queue (waiting), current (being said), spoken (each one
// with its text and times: chimeStart, chimeEnd, start, end, and its parts
// with how each ended — "end", "error:…", "timeout" or "none").
import { live, el } from "/static/js/api.js";

const params = new URLSearchParams(location.search);
const REPEAT = clampInt(params.get("repeat"), 1, 5, 2);
const SOUND = params.get("sound") !== "off";
const ENGLISH = params.get("en") === "1";

// A call older than this (by the hall server's clock) is shown but not
// announced: after a long network loss the board does not read out a
// backlog of calls whose people have long gone to their windows.
const FRESH_MS = 2 * 60 * 1000;
// How many announcements the log keeps.
const LOG_MAX = 200;
// Speech rate: a little slower than normal, for older listeners.
const RATE = 0.9;
const SOUND_KEY = "onestop.display.sound";

const $ = (id) => document.getElementById(id);

const od = {
  queue: [], current: null, spoken: [],
  repeat: REPEAT, sound: SOUND, english: ENGLISH,
  connected: false, reconnects: 0, restarts: 0, resyncs: 0, voice: "", unlocked: false,
  get audio() { return audio ? audio.state : "none"; },
};
window.onestopDisplay = od;

// The board's state: windows by number, queues by code, recent calls
// (newest first), the newest event ID applied, the offset of the hall
// server's clock from ours.
const board = {
  hall: null, day: "", windows: new Map(), queues: new Map(), recent: [],
  lastId: 0, skew: 0, latest: null, loaded: false,
};

// ---------- live events: snapshot + stream, never a gap ----------

let stream = null;
let buffer = null; // events that arrived while a snapshot was loading
let opened = false;
let connTimer = 0;

function connect() {
  const onEvent = (type) => (data, ev) => receive(type, data, ev);
  stream = live({
    "ticket.called": onEvent("ticket.called"),
    "ticket.recalled": onEvent("ticket.recalled"),
    "ticket.changed": onEvent("ticket.changed"),
    "window.changed": onEvent("window.changed"),
    "queue.changed": onEvent("queue.changed"),
    reset: () => resync(),
    open: onOpen,
    error: onError,
  });
}

// onOpen: every (re)connection takes a fresh snapshot; the events that
// arrive meanwhile wait in the buffer and apply after it, those already
// in the snapshot skipped by their IDs.
function onOpen() {
  setConnected(true);
  if (opened) od.reconnects++;
  opened = true;
  resync();
}

function onError() {
  setConnected(false);
  if (stream && stream.readyState === EventSource.CLOSED) {
    // The browser gave up (an error status, e.g. a proxy's 502 while the
    // hall server restarts): start a new stream a little later.
    stream.close();
    stream = null;
    od.restarts++;
    setTimeout(connect, 3000 + Math.random() * 2000);
  }
}

function setConnected(on) {
  od.connected = on;
  clearTimeout(connTimer);
  if (on) {
    $("conn").classList.add("hidden");
  } else {
    // A short blip is not worth a mark; a real loss is.
    connTimer = setTimeout(() => $("conn").classList.remove("hidden"), 1500);
  }
}

function receive(type, data, ev) {
  const id = Number(ev && ev.lastEventId) || 0;
  if (buffer) buffer.push([type, data, id]);
  else apply(type, data, id);
}

let resyncing = false;
let again = false; // a resync asked for while one runs

// resync loads GET /api/v1/display and applies what arrived meanwhile.
// Calls in the snapshot not announced yet (made while the board was cut
// off) are announced, except in the first snapshot: what was called
// before the board started is history.
function resync() {
  if (!buffer) buffer = [];
  if (resyncing) {
    again = true;
    return;
  }
  resyncing = true;
  od.resyncs++;
  (async () => {
    const d = await loadDisplay();
    const first = !board.loaded;
    setSnapshot(d);
    for (const c of [...board.recent].reverse()) {
      if (first) announced.add(callKey(c.number, c.window, c.ms));
      else if (announce("call", c.number, c.window, c.at)) flash(c.window);
    }
    const held = buffer;
    buffer = null;
    for (const [type, data, id] of held) apply(type, data, id);
    render();
    resyncing = false;
    if (again) {
      again = false;
      resync();
    }
  })();
}

// loadDisplay fetches the board, retrying every few seconds while the
// hall server cannot be reached. The Date header gives the server's clock.
async function loadDisplay() {
  for (let wait = 2000; ; wait = Math.min(wait * 2, 30000)) {
    try {
      const res = await fetch("/api/v1/display", { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.ok) {
        const date = Date.parse(res.headers.get("Date") || "");
        if (!Number.isNaN(date)) board.skew = date + 500 - Date.now();
        return await res.json();
      }
    } catch (e) {
      // unreachable: try again below
    }
    await sleep(wait);
  }
}

function setSnapshot(d) {
  board.hall = d.hall;
  board.day = d.day;
  board.lastId = Number(d.last_event_id) || 0;
  board.windows = new Map((d.windows || []).map((w) => [String(w.number), {
    number: w.number, name: w.name, nameEn: w.name_en, open: w.open, current: w.current || "", state: w.state || "",
  }]));
  board.queues = new Map((d.queues || []).map((q) => [q.code, { code: q.code, name: q.name, nameEn: q.name_en, waiting: q.waiting }]));
  board.recent = (d.recent_calls || []).map((c) => ({ number: c.number, window: c.window, at: c.at, ms: Date.parse(c.at) }));
  const newest = board.recent[0];
  if (newest && (!board.latest || newest.ms >= board.latest.ms)) board.latest = newest;
  if (!newest) board.latest = null;
  board.loaded = true;
  render();
}

// apply changes the board by one live event; events the snapshot already
// holds (IDs up to its last_event_id) are skipped.
function apply(type, d, id) {
  if (id && id <= board.lastId) return;
  if (id) board.lastId = id;
  switch (type) {
    case "ticket.called":
    case "ticket.recalled": {
      if (d.day && board.day && d.day !== board.day) { resync(); return; }
      const w = board.windows.get(d.window);
      if (!w) { resync(); return; }
      for (const other of board.windows.values()) {
        if (other !== w && other.current === d.number) { other.current = ""; other.state = ""; }
      }
      w.current = d.number;
      w.state = d.state || (type === "ticket.recalled" ? "recalled" : "called");
      const call = { number: d.number, window: d.window, at: d.at, ms: Date.parse(d.at) };
      board.recent.unshift(call);
      board.recent.length = Math.min(board.recent.length, 30);
      board.latest = call;
      render();
      flash(d.window);
      announce(type === "ticket.recalled" ? "recall" : "call", d.number, d.window, d.at);
      break;
    }
    case "ticket.changed":
      for (const w of board.windows.values()) {
        if (w.current !== d.number) continue;
        if (String(w.number) === d.window && ["called", "recalled", "serving"].includes(d.state)) w.state = d.state;
        else { w.current = ""; w.state = ""; }
      }
      render();
      break;
    case "window.changed": {
      const w = board.windows.get(d.window);
      if (!w) { resync(); return; }
      w.open = d.state === "open";
      render();
      break;
    }
    case "queue.changed": {
      const q = board.queues.get(d.queue);
      if (!q) { resync(); return; }
      q.waiting = d.waiting || 0;
      render();
      break;
    }
  }
}

// ---------- drawing ----------

function render() {
  if (!board.loaded) return;
  if (board.hall && board.hall.name) {
    $("hall-name").textContent = board.hall.name;
    document.title = board.hall.name + " · 叫号显示屏";
  }
  renderNow();
  renderWindows();
  renderRecent();
  renderQueues();
}

function windowName(code) {
  const w = board.windows.get(String(code));
  return {
    zh: w && w.name ? w.name : code + "号窗口",
    en: w && w.nameEn ? w.nameEn : "Window " + code,
  };
}

// renderNow shows the call being announced, else the latest call.
function renderNow() {
  const c = od.current || board.latest;
  const now = $("now");
  if (!c) {
    now.classList.add("idle");
    $("now-number").textContent = "欢迎光临";
    $("now-go").textContent = "";
    $("now-window").textContent = "取号后请留意叫号";
    $("now-window-en").textContent = "Welcome — take a number and watch for your call";
    return;
  }
  now.classList.remove("idle");
  const name = windowName(c.window);
  $("now-number").textContent = c.number;
  $("now-go").textContent = "请到";
  $("now-window").replaceChildren(el("b", {}, name.zh), " 办理");
  $("now-window-en").textContent = "Please go to " + name.en;
}

const tiles = new Map(); // window code → {root, number, state}
let tileKeys = null;

function renderWindows() {
  const shown = [...board.windows.values()].filter((w) => w.open || w.current)
    .sort((a, b) => a.number - b.number);
  const box = $("windows");
  const keys = shown.map((w) => w.number).join(",");
  if (keys !== tileKeys) {
    tileKeys = keys;
    const n = shown.length;
    const cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : n <= 16 ? 4 : n <= 25 ? 5 : 6;
    const rows = Math.max(1, Math.ceil(n / cols));
    box.className = "windows c" + cols + " r" + Math.min(rows, 6);
    box.parentElement.classList.toggle("compact", n > 8);
    if (!n) {
      box.replaceChildren(el("p", { class: "empty windows-empty" }, "窗口尚未开放", el("br"),
        el("span", { lang: "en" }, "No window is open yet")));
    } else {
      box.replaceChildren(...shown.map((w) => tile(w).root));
    }
  }
  for (const w of shown) {
    const t = tile(w);
    t.root.dataset.window = String(w.number);
    t.name.textContent = w.name;
    t.nameEn.textContent = w.nameEn;
    t.number.textContent = w.current || "—";
    const [zh, en] = stateWords(w);
    t.state.replaceChildren(zh, " ", el("span", { lang: "en" }, en));
    t.root.classList.toggle("busy", !!w.current);
    t.root.classList.toggle("called", w.state === "called" || w.state === "recalled");
    t.root.classList.toggle("closed", !w.open);
    t.root.classList.toggle("speaking", !!od.current && od.current.window === String(w.number));
  }
}

function tile(w) {
  const code = String(w.number);
  let t = tiles.get(code);
  if (!t) {
    t = {
      name: el("span", { class: "tile-name" }),
      nameEn: el("span", { class: "tile-name-en", lang: "en" }),
      number: el("span", { class: "tile-number" }),
      state: el("span", { class: "tile-state" }),
    };
    t.root = el("article", { class: "tile", id: "window-" + code },
      el("p", { class: "tile-head" }, t.name, " ", t.nameEn), t.number, t.state);
    t.root.addEventListener("animationend", () => t.root.classList.remove("flash"));
    tiles.set(code, t);
  }
  return t;
}

function stateWords(w) {
  if (!w.open && !w.current) return ["暂停服务", "Closed"];
  switch (w.state) {
    case "called": return ["请前往", "Please come"];
    case "recalled": return ["再次呼叫", "Called again"];
    case "serving": return ["办理中", "Serving"];
    default: return ["等候叫号", "Free"];
  }
}

function flash(code) {
  const t = tiles.get(String(code));
  if (!t) return;
  t.root.classList.remove("flash");
  void t.root.offsetWidth; // restart the animation
  t.root.classList.add("flash");
}

function renderRecent() {
  const seen = new Set();
  const rows = [];
  for (const c of board.recent) {
    const key = c.number + "|" + c.window;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = windowName(c.window);
    rows.push(el("li", { class: rows.length === 0 ? "newest" : "" },
      el("span", { class: "recent-number" }, c.number),
      el("span", { class: "recent-arrow", "aria-hidden": "true" }, "→"),
      el("span", { class: "recent-window" }, name.zh)));
    if (rows.length === 5) break;
  }
  $("recent").replaceChildren(...rows);
  $("recent-empty").classList.toggle("hidden", rows.length > 0);
}

function renderQueues() {
  const rows = [...board.queues.values()].map((q) => el("li", {},
    el("span", { class: "queue-code" }, q.code),
    el("span", { class: "queue-name" }, q.name, el("br"), el("span", { class: "queue-name-en", lang: "en" }, q.nameEn)),
    el("span", { class: "queue-count" }, el("b", {}, String(q.waiting)), " 人")));
  $("queues").replaceChildren(...rows);
  // Many queues: one line each (no English names), so that all fit.
  $("queues").classList.toggle("many", rows.length > 6);
}

// ---------- clock (the hall's time zone and the server's clock) ----------

const clockFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
const dateFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", month: "long", day: "numeric", weekday: "long" });

function serverNow() { return Date.now() + board.skew; }

function clockText(ms) { return Number.isNaN(ms) ? "" : clockFmt.format(new Date(ms)); }

function tick() {
  const now = serverNow();
  $("clock").textContent = clockText(now);
  $("date").textContent = dateFmt.format(new Date(now));
}

// ---------- announcements ----------

// speechText is what a hall says: "请A零零一号，到三号窗口办理". The ticket
// number is read digit by digit (A零零一, as printed and as people read
// it back; "一" rather than the radio "幺"), the window as a number
// (十二号窗口, as people call it). Spelling it out keeps every speech
// engine from reading A101 as "A一百零一".
function speechText(number, window) {
  return "请" + spellNumber(number) + "号，到" + chineseCount(window) + "号窗口办理";
}

const DIGITS = "零一二三四五六七八九";

function spellNumber(number) {
  return String(number).replace(/[0-9]/g, (d) => DIGITS[+d]);
}

function chineseCount(code) {
  const n = Number(code);
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(code);
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10), ones = n % 10;
  return (tens === 1 ? "" : DIGITS[tens]) + "十" + (ones ? DIGITS[ones] : "");
}

function englishText(number, window) {
  return "Number " + String(number).split("").join(" ") + ", please go to window " + window + ".";
}

const announced = new Set(); // callKey of each call already announced (or history)

// callKey names one call: the same from a live event and from a snapshot.
function callKey(number, window, ms) { return number + "|" + window + "|" + ms; }

// announce queues a call's announcement: fresh calls only, each once; a
// call still waiting in the queue is not queued twice. It reports whether
// the call was new to the board.
function announce(kind, number, window, at) {
  const ms = Date.parse(at);
  const key = callKey(number, window, ms);
  if (announced.has(key)) return false;
  announced.add(key);
  if (announced.size > 500) announced.delete(announced.values().next().value);
  if (!SOUND) return true;
  if (!Number.isNaN(ms) && serverNow() - ms > FRESH_MS) return true;
  if (od.queue.some((a) => a.number === number && a.window === window)) return true;
  od.queue.push({ kind, number, window, at, text: speechText(number, window), queuedAt: Date.now() });
  pump();
  return true;
}

let pumping = false;

// pump says the queued announcements one after another: chime, then the
// sentence REPEAT times, each utterance started only after the one before
// it ended. Nothing here ever calls speechSynthesis.cancel().
async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (od.queue.length && audioAllowed()) {
      const a = od.queue.shift();
      if (Date.now() - a.queuedAt > FRESH_MS) continue; // waited too long (sound was locked)
      a.parts = [];
      a.chimeStart = now();
      od.current = a;
      od.spoken.push(a);
      if (od.spoken.length > LOG_MAX) od.spoken.shift();
      render();
      await chime();
      a.chimeEnd = now();
      for (let i = 0; i < REPEAT; i++) {
        if (i > 0) await sleep(500);
        await sayPart(a, a.text, "zh-CN");
        if (ENGLISH) await sayPart(a, englishText(a.number, a.window), "en-US");
      }
      a.start = a.parts[0].start;
      a.end = now();
      od.current = null;
      render();
      await sleep(700);
    }
  } finally {
    pumping = false;
  }
}

async function sayPart(a, text, lang) {
  const part = { text, lang, start: now() };
  a.parts.push(part);
  part.via = await say(text, lang);
  part.end = now();
}

function now() { return performance.timeOrigin + performance.now(); }

let voices = { zh: null, en: null, count: 0 };

function pickVoices() {
  if (!("speechSynthesis" in window)) return;
  const all = speechSynthesis.getVoices();
  const norm = (v) => (v.lang || "").replace("_", "-").toLowerCase();
  voices.zh = all.find((v) => norm(v) === "zh-cn") || all.find((v) => /^(zh|cmn)/.test(norm(v))) || null;
  voices.en = all.find((v) => norm(v).startsWith("en")) || null;
  voices.count = all.length;
  od.voice = voices.zh ? voices.zh.name + " (" + voices.zh.lang + ")" : all.length ? "no Chinese voice" : "no voices listed";
}

// say speaks one utterance and resolves when it ends, fails, or — when
// the browser never tells (no voices, as in headless Chromium) — after
// the time it would take to say it generously (a third of a second a
// Chinese character at the board's rate) and a second and a half more.
function say(text, lang) {
  const zh = lang.startsWith("zh");
  const budget = zh ? text.length * 330 / RATE : text.length * 90 / RATE;
  // Voices listed but none for the language: another language's voice
  // would mangle the sentence, so the board stays with the chime (and
  // onestopDisplay.voice tells the technician). No voices listed at all:
  // try anyway, the engine may have a default.
  if (!("speechSynthesis" in window) || (voices.count > 0 && !(zh ? voices.zh : voices.en))) {
    return sleep(Math.min(budget, 4000)).then(() => "none");
  }
  return new Promise((resolve) => {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang;
    const v = zh ? voices.zh : voices.en;
    if (v) u.voice = v;
    u.rate = RATE;
    let timer = 0;
    const finish = (via) => {
      if (!timer) return;
      clearTimeout(timer);
      timer = 0;
      keep.delete(u);
      resolve(via);
    };
    u.addEventListener("end", () => finish("end"));
    u.addEventListener("error", (e) => finish("error:" + (e.error || "unknown")));
    timer = setTimeout(() => finish("timeout"), budget + 1500);
    keep.add(u); // an utterance collected too early never fires "end" (Chrome)
    speechSynthesis.speak(u);
  });
}

const keep = new Set();

// ---------- chime (WebAudio, generated: a two-tone "ding-dong") ----------

let audio = null;

function audioContext() {
  if (!audio) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (AC) audio = new AC();
  }
  return audio;
}

function audioAllowed() {
  const c = audioContext();
  return !c || c.state === "running";
}

const CHIME_MS = 1100;

function chime() {
  const c = audioContext();
  if (c && c.state === "running") {
    const t = c.currentTime + 0.03;
    tone(c, 659.25, t, 0.55);        // E5
    tone(c, 523.25, t + 0.45, 0.65); // C5
  }
  return sleep(CHIME_MS);
}

function tone(c, freq, at, len) {
  const g = c.createGain();
  g.gain.setValueAtTime(0.0001, at);
  g.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
  g.gain.exponentialRampToValueAtTime(0.0001, at + len);
  g.connect(c.destination);
  for (const [mult, type, level] of [[1, "sine", 1], [2, "sine", 0.25], [3, "triangle", 0.08]]) {
    const o = c.createOscillator();
    const og = c.createGain();
    o.type = type;
    o.frequency.value = freq * mult;
    og.gain.value = level;
    o.connect(og);
    og.connect(g);
    o.start(at);
    o.stop(at + len + 0.05);
  }
}

// ---------- the one-time "tap to enable sound" ----------

function remembered() {
  try { return localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
}

function setupSound() {
  if (!SOUND) return;
  const c = audioContext();
  const check = () => {
    if (audioAllowed()) {
      hideUnlock();
      pump();
    } else {
      showUnlock();
    }
  };
  if (c) c.addEventListener("statechange", check);
  // Give a context the browser allows a moment to start running.
  setTimeout(check, 300);
  $("unlock-button").addEventListener("click", unlock);
  // A TV remote's OK key anywhere on the page also counts as the tap.
  document.addEventListener("keydown", (ev) => {
    if (!$("unlock").classList.contains("hidden") && (ev.key === "Enter" || ev.key === " ")) unlock();
  });
  if ("speechSynthesis" in window) {
    pickVoices();
    speechSynthesis.addEventListener("voiceschanged", pickVoices);
  }
}

function showUnlock() {
  if (remembered()) {
    // Sound was enabled before, but the browser paused it again.
    $("unlock-text").textContent = "点击恢复语音播报";
    $("unlock-text-en").textContent = "Tap to resume sound";
  }
  $("unlock").classList.remove("hidden");
  $("unlock-button").focus();
}

function hideUnlock() {
  od.unlocked = true;
  $("unlock").classList.add("hidden");
}

async function unlock() {
  try { localStorage.setItem(SOUND_KEY, "on"); } catch (e) { /* private mode */ }
  const c = audioContext();
  if (c && c.state !== "running") {
    try { await c.resume(); } catch (e) { /* stays locked: the overlay stays */ }
  }
  if (audioAllowed()) {
    hideUnlock();
    if (!od.queue.length && !od.current) chime();
    pump();
  }
}

// ---------- start ----------

function clampInt(s, lo, hi, def) {
  const n = parseInt(s ?? "", 10);
  return Number.isNaN(n) ? def : Math.min(hi, Math.max(lo, n));
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

tick();
setInterval(tick, 5000);
setupSound();
resync();
connect();
// A fresh snapshot now and then: the day rolls over, and nothing drifts.
setInterval(() => { if (od.connected) resync(); }, 10 * 60 * 1000);
