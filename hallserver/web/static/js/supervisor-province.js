// supervisor-province.js: the link to the provincial platform (省平台) —
// its state in words and colour (connected, retrying, refused, not
// configured), the changes waiting to be sent (the backlog, and how long
// the oldest has waited), the last success and the last error, what was
// pulled (catalogue and trust list versions, the update cursor), a newer
// catalogue waiting for tickets to be served, and the dead letters: the
// records the province refused, each with its reason and a button to send
// it again (or all of them, after a confirmation), and a secondary button
// to give one up for good, which asks on the page for the reason first.
// Read again every 10 seconds, but not while a question is open.
// provinceLine is the one line the overview shows.
import { api, el } from "/static/js/api.js";
import { bi, heading, clock, dateTime, table, loading, failure, statusLine, message } from "/static/js/supervisor-util.js";
import { detailsLink } from "/static/js/supervisor-warnings.js";

// STATES: the link's state in words, the class that colours it, and what
// it means for staff.
export const STATES = {
  connected: ["已连接", "Connected", "connected",
    "与省平台的最近一次交换成功。", "The last exchange with the province succeeded."],
  retrying: ["重试中", "Retrying", "retrying",
    "省平台暂时没有应答或出错，系统自动重试，记录不会丢失。", "The province did not answer or answered an error: the hall retries by itself and loses nothing."],
  refused: ["需处理", "Needs a technician", "refused",
    "重试无法解决，需技术员处理，原因见下方“最近错误”：常见的是大厅编码或密钥（--province 设置）、服务器时间（NTP）、省平台公钥（--province-key-file），或本服务器版本过旧。记录保存在本地，不会丢失。",
    "Retrying will not help; a technician must act — the last error below says why: most often the hall code or secret (the --province settings), the server's clock (NTP), the province's key (--province-key-file), or a hall server too old for the province. Nothing is lost meanwhile."],
  not_configured: ["未配置", "Not configured", "not-configured",
    "本服务器没有连接省平台（启动时未设置 --province）。需上报的记录都保存在本地，连接后按顺序补报。",
    "This hall server runs without a province (--province not set). What the province must receive is kept here and sent in order once linked."],
};

// KINDS: the province's event kinds in words.
const KINDS = {
  "ticket.summary": ["取号记录", "Ticket"],
  "rating.recorded": ["评价", "Rating"],
  "rating.followup": ["差评整改", "Rating follow-up"],
  "application.event": ["办件环节", "Application step"],
  "application.update_refused": ["未执行的省平台更新", "Province update refused"],
  "certificate.issued": ["证照签发", "Certificate issued"],
  "certificate.revoked": ["证照注销", "Certificate revoked"],
  "signing_key.changed": ["签章密钥变更", "Signing key change"],
  "audit.head": ["审计链锚点", "Audit anchor"],
};

function stateOf(st) {
  return STATES[st.state] || [st.state, st.state, "retrying", "", ""];
}

// age says how long something has waited, in both languages: 45 秒 /
// 45 s, 12 分钟 / 12 min, 3 小时 5 分 / 3 h 5 min, 2 天 4 小时 / 2 days 4 h.
export function age(sec) {
  sec = Math.max(0, Math.round(sec || 0));
  const d = Math.floor(sec / 86400), h = Math.floor(sec / 3600) % 24, m = Math.floor(sec / 60) % 60, s = sec % 60;
  if (d > 0) return [d + " 天 " + h + " 小时", d + (d === 1 ? " day " : " days ") + h + " h"];
  if (h > 0) return [h + " 小时 " + m + " 分", h + " h " + m + " min"];
  if (m > 0) return [m + " 分钟", m + " min"];
  return [s + " 秒", s + " s"];
}

// provinceLine is the overview's line: 省平台：已连接 · 待上报 12, with
// the dead letters when there are any; a link to the province section.
export function provinceLine(st, go) {
  const [zh, en, cls] = stateOf(st);
  const a = el("a", { href: "/supervisor/province", class: "sv-prov-link" },
    el("span", { class: "sv-prov-dot " + cls, "aria-hidden": "true" }),
    "省平台：", el("strong", { class: "sv-prov-word " + cls }, zh), " · 待上报 ", el("strong", { id: "province-backlog" }, String(st.backlog)),
    el("span", { class: "en", lang: "en" }, " Province: " + en.toLowerCase() + " · backlog " + st.backlog));
  a.addEventListener("click", (ev) => {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    go("/supervisor/province");
  });
  if (!st.dead) return [a];
  return [a, el("span", { class: "sv-flag red" }, " · 被拒 " + st.dead + " 条",
    el("span", { class: "en", lang: "en" }, " " + st.dead + " dead letter" + (st.dead === 1 ? "" : "s")))];
}

export function mount(root, ctx) {
  const body = el("div", {}, loading());
  const line = statusLine();
  root.append(heading("省平台", "Province link",
    "本大厅向省政务服务平台上报的办件、评价、证照等记录，以及从省平台获取的事项目录和信任列表。 What the hall sends to the provincial platform, and what it takes from it."),
  line.node, body);
  let alive = true, confirming = false, st = null;
  let closeAsk = null; // closes the open discard question, null when none is open

  async function load() {
    try {
      st = await api("GET", "/province");
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
      return;
    }
    if (alive) render();
  }
  const tick = setInterval(() => { if (!confirming && !closeAsk) load(); }, 10000);

  function render() {
    const [zh, en, cls, zhWhat, enWhat] = stateOf(st);
    const state = el("div", { class: "card sv-prov-state " + cls, id: "province-state" },
      el("div", { class: "sv-prov-head" },
        el("span", { class: "sv-prov-badge " + cls }, zh, el("span", { class: "en", lang: "en" }, en)),
        st.url ? el("span", { class: "mono sv-prov-url" }, st.url) : null),
      el("p", {}, zhWhat, el("br"), el("span", { class: "en", lang: "en" }, enWhat)),
      el("dl", { class: "sv-facts sv-prov-facts" },
        el("dt", {}, bi("上次成功", "Last success")),
        el("dd", { id: "province-last-success" }, st.last_success ? dateTime(st.last_success) : el("span", { class: "muted" }, "从未 never")),
        st.last_error ? [el("dt", {}, bi("最近错误", "Last error")),
          el("dd", { id: "province-last-error" }, el("span", { class: "muted" }, dateTime(st.last_error_at) + " "), st.last_error)] : null));

    const [ageZh, ageEn] = age(st.oldest_pending_seconds);
    const cards = el("div", { class: "sv-cards" },
      card("待上报", "Backlog", el("span", { id: "province-backlog-count" }, String(st.backlog)), "条记录 records"),
      card("最早一条已等待", "Oldest waiting", st.backlog ? ageZh : "—",
        st.backlog ? [ageEn, el("br"), dateTime(st.oldest_pending)] : "没有待上报 nothing waiting"),
      card("被拒记录", "Dead letters", el("span", { id: "province-dead-count", class: st.dead ? "over" : "" }, String(st.dead)),
        [st.dead ? "需要处理 need a look" : "无 none",
          st.discarded > 0 ? el("div", { id: "province-discarded" }, "已放弃 " + st.discarded + " 条 discarded " + st.discarded) : null]),
      card("排队等待", "Held", String(st.held), "排在被拒记录之后 behind a dead letter"),
      card("已上报", "Delivered", String(st.delivered), "累计 in all"));

    const pulls = el("dl", { class: "card sv-facts sv-prov-facts", id: "province-pulls" },
      el("dt", {}, bi("事项目录版本", "Catalogue version")), el("dd", {}, version(st.catalogue_version)),
      el("dt", {}, bi("信任列表版本", "Trust list version")), el("dd", {}, version(st.trust_version)),
      el("dt", {}, bi("办件更新游标", "Update cursor")), el("dd", {}, version(st.update_cursor)));
    const waiting = st.catalogue_waiting ? el("div", { class: "card sv-prov-waiting", id: "province-catalogue-waiting", role: "note" },
      el("strong", {}, "新版事项目录等待生效"), el("span", { class: "en", lang: "en" }, " A newer catalogue is waiting"),
      el("p", {}, st.catalogue_waiting),
      el("p", { class: "muted" }, "这些群众办完后自动生效，不影响正在排队的号。 It applies by itself once they are served; waiting tickets are not disturbed.")) : null;

    body.replaceChildren(...[state, cards,
      el("h2", {}, bi("从省平台获取", "Taken from the province")), pulls, waiting,
      el("h2", { id: "dead-letters" }, bi("被拒记录", "Dead letters")), deadLetters()].filter(Boolean));
  }

  function version(v) {
    return v ? String(v) : el("span", { class: "muted" }, "尚未获取 none yet");
  }

  function card(zh, en, value, note) {
    return el("div", { class: "card sv-card" }, el("div", { class: "sv-card-title" }, bi(zh, en)),
      el("div", { class: "sv-card-value" }, value), el("div", { class: "muted" }, note));
  }

  function deadLetters() {
    const list = st.dead_letters || [];
    if (!list.length) {
      if (st.discarded > 0) {
        return el("p", { class: "card sv-empty", id: "no-dead-letters" }, "没有待处理的被拒记录（已放弃 " + st.discarded + " 条） No dead letters to look at (" +
          st.discarded + " given up on).");
      }
      return el("p", { class: "card sv-empty", id: "no-dead-letters" }, "没有被拒记录 No dead letters: the province took everything it was sent.");
    }
    const intro = el("p", { class: "muted" }, "省平台拒收的记录不会自动丢弃。请先查明原因（例如省平台缺少某个事项），修正后再重新发送；同一记录之后的变更会等它送达后再上报。省平台确认无法接收的，才可放弃（须填写原因，记入审计）。",
      el("br"), el("span", { lang: "en" }, "Records the province refused are never dropped by themselves. Find out why (an item the province lacks, say), fix it, then send them again; later changes to the same record wait for it. Give one up only when the province confirms it cannot take it (with a reason, kept in the audit trail)."));
    const all = el("button", { type: "button", id: "replay-all" }, "全部重新发送 Replay all (" + st.dead + ")");
    const yes = el("button", { type: "button", class: "primary", id: "replay-all-confirm" }, "确定重新发送 " + st.dead + " 条 Replay all " + st.dead);
    const no = el("button", { type: "button", id: "replay-all-cancel" }, "取消 Cancel");
    const ask = el("div", { class: "sv-prov-confirm hidden", id: "replay-all-ask", role: "alertdialog", "aria-label": "确认 Confirm" },
      el("span", {}, "确定将全部 " + st.dead + " 条被拒记录重新发送？", el("span", { class: "en", lang: "en" }, " Send all " + st.dead + " dead letters again?")), yes, no);
    all.addEventListener("click", () => { confirming = true; ask.classList.remove("hidden"); all.classList.add("hidden"); no.focus(); });
    no.addEventListener("click", () => { confirming = false; ask.classList.add("hidden"); all.classList.remove("hidden"); all.focus(); });
    yes.addEventListener("click", () => replay([], yes));
    const rows = list.map((d) => {
      const [kzh, ken] = KINDS[d.kind] || [d.kind, ""];
      const btn = el("button", { type: "button", class: "primary sv-prov-replay", id: "replay-" + d.id }, "重新发送", el("br"), "Replay");
      btn.addEventListener("click", () => replay([d.id], btn));
      const drop = el("button", { type: "button", class: "sv-prov-discard", id: "discard-" + d.id, "aria-expanded": "false",
        "aria-controls": "discard-ask-" + d.id }, "放弃 Discard");
      const tr = el("tr", { id: "dead-" + d.id, "data-id": d.id },
        el("td", {}, kzh, el("br"), el("span", { class: "en", lang: "en" }, ken), el("div", { class: "muted mono sv-note" }, d.kind)),
        el("td", {}, record(d.aggregate)),
        el("td", {}, el("span", { class: "date" }, dateTime(d.created_at)), el("br"),
          el("span", { class: "muted" }, "拒收 refused ", el("span", { class: "date" }, sameDay(d.created_at, d.dead_at) ? clock(d.dead_at) : dateTime(d.dead_at)))),
        el("td", { class: "sv-prov-error" }, d.error || "—",
          el("div", { class: "muted sv-note" }, "尝试 " + d.attempts + " 次 attempts" + (d.replays ? " · 已重发 " + d.replays + " 次 replayed" : ""))),
        el("td", {}, el("div", { class: "sv-prov-acts" }, btn, drop)));
      drop.addEventListener("click", () => askDiscard(d, tr, drop));
      return tr;
    });
    const deadTable = table("被拒记录 Dead letters", [bi("种类", "Kind"), bi("记录", "Record"), bi("时间", "When"), bi("原因", "Error"), bi("操作", "Action")], rows, "sv-dead");
    deadTable.classList.add("sv-dead-scroll"); // the discard question keeps to its visible width
    return el("div", {}, intro,
      el("div", { class: "sv-actions sv-prov-all" }, all, ask),
      st.dead > list.length ? el("p", { class: "muted" }, "仅列出最早的 " + list.length + " 条，共 " + st.dead + " 条 The oldest " + list.length + " of " + st.dead + " are listed.") : null,
      deadTable);
  }

  function sameDay(a, b) {
    return dateTime(a).slice(0, 10) === dateTime(b).slice(0, 10);
  }

  // record is what a dead letter changes; an application links to its
  // details.
  function record(aggregate) {
    const [kind, id] = aggregate.split(/:(.*)/s);
    if (kind === "application" && id) return detailsLink(id, ctx);
    return el("span", { class: "mono" }, aggregate);
  }

  // askDiscard opens, under the dead letter's row, the question that
  // gives it up: what that means, and the reason, which is required.
  // One question at a time; the section is not read again while it is open.
  function askDiscard(d, tr, drop) {
    if (closeAsk) closeAsk(false);
    const id = "discard-reason-" + d.id;
    const reason = el("textarea", { id, rows: "2", maxlength: "500", required: true, "aria-describedby": "discard-what-" + d.id,
      placeholder: "例如：省平台回复该事项已撤销 e.g. the province replied that the item was withdrawn" });
    const said = el("p", { class: "error sv-prov-ask-error", id: "discard-error-" + d.id, role: "alert" });
    const yes = el("button", { type: "submit", class: "danger", id: "discard-confirm-" + d.id }, "确定放弃 Discard");
    const no = el("button", { type: "button", id: "discard-cancel-" + d.id }, "取消 Cancel");
    const form = el("form", { class: "sv-prov-ask", novalidate: true, role: "alertdialog", "aria-label": "确认放弃 Confirm discard" },
      el("strong", {}, "放弃这条记录？", el("span", { class: "en", lang: "en" }, " Give this record up?")),
      el("p", { id: "discard-what-" + d.id }, "放弃后该记录不再上报省平台，其后同一办件的记录继续上报。仅在省平台确认无法接收时使用。",
        el("br"), el("span", { class: "en", lang: "en" }, "The record will never be sent; later records of the same item go on. Only when the province confirms it cannot take it.")),
      el("label", { for: id }, bi("原因（必填，记入审计）", "Reason (required, kept in the audit trail)")), reason, said,
      el("div", { class: "sv-actions" }, yes, no));
    const ask = el("tr", { class: "sv-prov-ask-row", id: "discard-ask-" + d.id },
      el("td", { colspan: "5" }, form));
    tr.after(ask);
    tr.classList.add("discarding");
    drop.setAttribute("aria-expanded", "true");
    drop.disabled = true;
    reason.focus();
    closeAsk = (refocus) => {
      ask.remove();
      tr.classList.remove("discarding");
      drop.setAttribute("aria-expanded", "false");
      drop.disabled = false;
      closeAsk = null;
      if (refocus) drop.focus();
    };
    no.addEventListener("click", () => closeAsk && closeAsk(true));
    reason.addEventListener("input", () => { said.textContent = ""; reason.removeAttribute("aria-invalid"); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        said.textContent = "请填写放弃的原因 Say why the record is given up";
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      yes.disabled = true;
      said.textContent = "";
      line.clear();
      try {
        const r = await api("POST", "/province/discard", { ids: [d.id], reason: why });
        line.ok("已放弃 " + r.discarded + " 条，不再上报 Discarded " + r.discarded + ": it will not be sent");
      } catch (e) {
        said.textContent = message(e); // stays open: the reason typed is not lost
        yes.disabled = false;
        return;
      }
      if (closeAsk) closeAsk(false);
      load();
    });
  }

  async function replay(ids, btn) {
    btn.disabled = true;
    line.clear();
    try {
      const r = await api("POST", "/province/replay", { ids });
      line.ok("已重新发送 " + r.replayed + " 条，将按顺序上报 Replayed " + r.replayed + ": they are sent again in order");
    } catch (e) {
      line.fail(e);
    }
    confirming = false;
    closeAsk = null;
    load();
  }

  load();
  return { unmount() { alive = false; clearInterval(tick); } };
}
