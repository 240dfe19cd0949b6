// supervisor-overview.js: the hall now (大厅概况) — every queue with the
// people waiting and the longest wait, every window busy, calling, idle or
// closed (who works there, which number), the latest calls, and one line
// on the link to the provincial platform (read with the overview's timer).
// It follows the live events: a queue's waiting count changes at once
// (queue.changed), and any call or window change reloads the overview.
import { api, el } from "/static/js/api.js";
import { bi, heading, duration, clock, table, loading, failure, debounce, message } from "/static/js/supervisor-util.js";
import { provinceLine } from "/static/js/supervisor-province.js";

// WINDOW_STATES: a window's state in words (and the class that colours it).
const WINDOW_STATES = {
  closed: ["关闭", "Closed", "closed"],
  idle: ["空闲", "Idle", "idle"],
  called: ["叫号中", "Calling", "calling"],
  serving: ["办理中", "Serving", "serving"],
};

export function mount(root, ctx) {
  const body = el("div", {}, loading());
  const province = el("p", { class: "sv-prov-line", id: "province-line" }, "省平台：… ", el("span", { class: "en", lang: "en" }, "Province: …"));
  root.append(heading("大厅概况", "Hall overview", "排队、窗口与最长等待，实时更新 Queues, windows and the longest wait, live."), province, body);
  let data = null, alive = true;

  async function load() {
    try {
      data = await api("GET", "/overview");
      if (alive) render();
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
    }
  }
  // loadProvince shows the province link's line; it is not live: the
  // overview's timer reads it again.
  async function loadProvince() {
    try {
      const st = await api("GET", "/province");
      if (alive) province.replaceChildren(...provinceLine(st, ctx.go));
    } catch (e) {
      if (alive) province.replaceChildren("省平台：无法读取 ", el("span", { class: "en", lang: "en" }, "Province: could not load: " + message(e)));
    }
  }
  const reload = debounce(load, 300);
  const tick = setInterval(() => { load(); loadProvince(); }, 30000); // the longest wait grows by itself

  function render() {
    const queues = data.queues || [], windows = data.windows || [];
    const waiting = queues.reduce((n, q) => n + q.waiting, 0);
    const longest = queues.reduce((m, q) => (q.waiting > 0 && q.longest_wait_seconds > (m ? m.longest_wait_seconds : -1) ? q : m), null);
    const open = windows.filter((w) => w.open), busy = open.filter((w) => w.current);
    const summary = el("div", { class: "sv-cards" },
      card("等候人数", "Waiting", el("span", { id: "total-waiting" }, String(waiting)), "人 people"),
      card("开放窗口", "Open windows", open.length + " / " + windows.length, busy.length + " 个办理或叫号中 busy"),
      card("最长等待", "Longest wait", longest ? duration(longest.longest_wait_seconds) : "—",
        longest ? longest.code + " " + longest.name : "无人等候 no one waiting"));

    const qrows = queues.map((q) => el("tr", { id: "queue-" + q.code },
      el("td", {}, el("strong", {}, q.code), " ", q.name, el("br"), el("span", { class: "en", lang: "en" }, q.name_en)),
      el("td", { class: "num big" }, el("span", { id: "waiting-" + q.code, class: "waiting", "data-queue": q.code }, String(q.waiting))),
      el("td", { class: "num" + (q.longest_wait_seconds >= 1800 ? " long" : "") }, q.waiting ? duration(q.longest_wait_seconds) : "—"),
      el("td", { class: "num" }, String(q.issued)),
      el("td", { class: "num" }, String(q.served)),
      el("td", { class: "num" }, String(q.no_show)),
      el("td", { class: "num" + (q.waiting > 0 && q.open_windows === 0 ? " alarm" : "") },
        String(q.open_windows), q.waiting > 0 && q.open_windows === 0 ? el("span", { class: "sv-note" }, " 无窗口开放 no window open") : null)));
    const qtable = table("各队列 Queues", [bi("队列", "Queue"), bi("等候", "Waiting"), bi("最长等待", "Longest wait"),
      bi("已取号", "Issued"), bi("已办理", "Served"), bi("过号", "No-show"), bi("开放窗口", "Open windows")], qrows, "sv-queues");

    const wgrid = el("ul", { class: "sv-windows", "aria-label": "窗口 Windows" }, windows.map((w) => {
      const st = !w.open ? "closed" : w.current ? (w.state === "serving" ? "serving" : "called") : "idle";
      const [zh, en, cls] = WINDOW_STATES[st];
      return el("li", { class: "sv-window " + cls, id: "window-" + w.number },
        el("div", { class: "sv-wname" }, el("strong", {}, w.name), el("span", { class: "sv-wstate" }, zh + " " + en)),
        w.current ? el("div", { class: "sv-wticket" }, w.current) : null,
        w.open && w.staff ? el("div", {}, "工作人员 ", w.staff) : null,
        el("div", { class: "muted" }, "队列 Queues ", (w.queues || []).join(" ")));
    }));

    const recent = (data.recent_calls || []).slice(0, 8);
    const calls = recent.length
      ? el("ol", { class: "sv-calls" }, recent.map((c) => el("li", {}, el("strong", {}, c.number), " → ", c.window, " 号窗口 ", el("span", { class: "muted" }, clock(c.at)))))
      : el("p", { class: "muted" }, "今天还没有叫号 No calls yet today");

    body.replaceChildren(summary,
      el("h2", {}, bi("排队", "Queues"), el("span", { class: "muted sv-day" }, " " + data.day)), qtable,
      el("h2", {}, bi("窗口", "Windows")), wgrid,
      el("h2", {}, bi("最近叫号", "Recent calls")), calls);
  }

  function card(zh, en, value, note) {
    return el("div", { class: "card sv-card" }, el("div", { class: "sv-card-title" }, bi(zh, en)),
      el("div", { class: "sv-card-value" }, value), el("div", { class: "muted" }, note));
  }

  load();
  loadProvince();
  return {
    onEvent(type, ev) {
      if (type === "queue.changed" && data) {
        const cell = document.getElementById("waiting-" + ev.queue);
        const q = (data.queues || []).find((x) => x.code === ev.queue);
        if (cell && q) {
          q.waiting = ev.waiting || 0;
          cell.textContent = String(q.waiting);
          const total = document.getElementById("total-waiting");
          if (total) total.textContent = String(data.queues.reduce((n, x) => n + x.waiting, 0));
        }
      }
      if (type !== "settings.changed" && type !== "kiosk.help") reload();
    },
    unmount() { alive = false; clearInterval(tick); reload.cancel(); },
  };
}
