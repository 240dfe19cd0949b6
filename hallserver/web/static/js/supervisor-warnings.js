// supervisor-warnings.js: time-limit warnings (电子监察) — the open
// applications whose promised limit (承诺时限) is nearly used (yellow, 黄牌)
// or exceeded (red, 红牌), or that are over the legal limit, each in colour
// AND words, with the working days left or over, the item, the applicant
// (the ID number masked) and a link to the application's details. Red
// first; read again every minute (a clock moves with the day, not with an
// event).
import { api, el } from "/static/js/api.js";
import { bi, heading, table, loading, failure } from "/static/js/supervisor-util.js";

// warningBadge is the warning in colour and words.
export function warningBadge(clock) {
  if (clock.warning === "red") {
    return el("span", { class: "sv-warn red" }, "红牌 超期", el("span", { class: "en", lang: "en" }, " Red: overdue"));
  }
  if (clock.warning === "yellow") {
    return el("span", { class: "sv-warn yellow" }, "黄牌 临期", el("span", { class: "en", lang: "en" }, " Yellow: due soon"));
  }
  return el("span", { class: "sv-warn none" }, "正常", el("span", { class: "en", lang: "en" }, " On time"));
}

// daysWords says the working days left, or over, of the promised limit
// (and the legal one when it is over too).
export function daysWords(clock) {
  const out = [];
  const left = clock.promised_left_days;
  if (left < 0) out.push(el("strong", { class: "over" }, "超期 " + (-left) + " 个工作日"), el("span", { class: "en", lang: "en" }, " " + (-left) + " working day" + (left === -1 ? "" : "s") + " over"));
  else if (left === 0) out.push(el("strong", {}, "今天到期"), el("span", { class: "en", lang: "en" }, " due today"));
  else out.push(el("strong", {}, "剩 " + left + " 个工作日"), el("span", { class: "en", lang: "en" }, " " + left + " working day" + (left === 1 ? "" : "s") + " left"));
  if (clock.over_legal) out.push(el("br"), el("strong", { class: "over" }, "已超法定时限"), el("span", { class: "en", lang: "en" }, " over the legal limit"));
  if (clock.stopped) out.push(el("br"), el("span", { class: "muted" }, "计时暂停 clock stopped: " + clock.stopped));
  return out;
}

export function mount(root, ctx) {
  const filter = { kind: "all" };
  const counts = el("p", { class: "sv-counts", id: "warning-counts" });
  const tabs = el("div", { class: "sv-tabs", role: "group", "aria-label": "筛选 Filter" });
  const body = el("div", {}, loading());
  root.append(heading("时限预警", "Time-limit warnings",
    "电子监察：承诺时限将到（黄牌）或已超（红牌）的在办件。按工作日计算，自受理次日起。 Open applications near (yellow) or past (red) their promised limit, in working days."),
  counts, tabs, body);
  let list = [], alive = true;

  for (const [kind, zh, en] of [["all", "全部", "All"], ["red", "红牌", "Red"], ["yellow", "黄牌", "Yellow"]]) {
    const b = el("button", { type: "button", "aria-pressed": String(kind === filter.kind), "data-kind": kind }, zh + " " + en);
    b.addEventListener("click", () => {
      filter.kind = kind;
      for (const x of tabs.children) x.setAttribute("aria-pressed", String(x.dataset.kind === kind));
      render();
    });
    tabs.append(b);
  }

  async function load() {
    try {
      list = await api("GET", "/supervision/warnings");
      if (alive) render();
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
    }
  }
  const tick = setInterval(load, 60000);

  function render() {
    const rank = { red: 0, yellow: 1, none: 2 };
    const sorted = [...list].sort((a, b) => (rank[a.clock.warning] - rank[b.clock.warning]) || (a.clock.promised_left_days - b.clock.promised_left_days));
    const red = list.filter((a) => a.clock.warning === "red").length, yellow = list.filter((a) => a.clock.warning === "yellow").length;
    counts.replaceChildren(
      el("span", { class: "sv-warn red" }, "红牌 " + red), " ",
      el("span", { class: "sv-warn yellow" }, "黄牌 " + yellow), " ",
      el("span", { class: "muted" }, "共 " + list.length + " 件 applications"));
    const shown = sorted.filter((a) => filter.kind === "all" || a.clock.warning === filter.kind);
    if (!shown.length) {
      body.replaceChildren(el("p", { class: "card sv-empty" }, list.length ? "没有这一类预警 None of this kind." : "没有预警：所有在办件都在承诺时限内。 No warnings: every open application is within its promised limit."));
      return;
    }
    const rows = shown.map((a) => el("tr", { class: "w-" + a.clock.warning, "data-number": a.number },
      el("td", {}, warningBadge(a.clock), el("div", { class: "sv-days" }, daysWords(a.clock))),
      el("td", {}, detailsLink(a.number, ctx), el("div", {}, a.item_name), el("span", { class: "muted mono" }, a.item)),
      el("td", {}, a.applicant_name, el("br"), el("span", { class: "mono" }, a.applicant_id_masked)),
      el("td", {}, a.step_name, el("br"), el("span", { class: "muted date" }, "受理日 " + dayOf(a.accepted_at))),
      el("td", {}, el("span", { class: "date" }, a.clock.promised_deadline), el("br"), el("span", { class: "muted date" }, "法定 " + a.clock.legal_deadline))));
    body.replaceChildren(table("预警办件 Applications with a warning", [bi("预警", "Warning"), bi("办件与事项", "Application and item"),
      bi("申请人", "Applicant"), bi("环节", "Step"), bi("承诺期限", "Promised by")], rows, "sv-warnings"));
  }

  load();
  return { unmount() { alive = false; clearInterval(tick); } };
}

// dayOf is the hall's day (YYYY-MM-DD) of a time.
function dayOf(iso) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date(iso));
}

// detailsLink opens an application's details; its number travels in the
// fragment, which the browser never sends to the server.
export function detailsLink(number, ctx) {
  const a = el("a", { href: "/supervisor/application#" + encodeURIComponent(number), class: "sv-detail-link", title: "详情 Details" },
    el("span", { class: "mono" }, number), " ", el("span", { class: "sv-more" }, "详情 Details ›"));
  a.addEventListener("click", (ev) => {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    ctx.go("/supervisor/application#" + encodeURIComponent(number));
  });
  return a;
}
