// supervisor-ratings.js: ratings (好差评) and the bad-rating follow-up
// (差评整改) — a bad rating (不满意, 非常不满意) must be called back within 1
// working day and put right within 15 (国办发〔2019〕51号). The follow-ups
// come first: each with its due dates and overdue flags, the call back to
// record (what the citizen said, or why they could not be reached), then
// the resolution; the citizen may re-rate after it. All ratings can be
// searched by days, level, window and staff member.
import { api, el } from "/static/js/api.js";
import { bi, heading, dateTime, table, loading, failure, statusLine, levelBadge, addDays, LEVELS } from "/static/js/supervisor-util.js";

const CHANNELS = { kiosk: "自助终端 kiosk", counter: "窗口评价器 counter pad", phone: "手机 phone" };

export function mount(root, ctx) {
  const S = { view: "followups", reasons: {}, alive: true };
  const tabs = el("div", { class: "sv-tabs", role: "group", "aria-label": "查看 View" });
  const body = el("div", {});
  root.append(heading("好差评", "Ratings", "差评须 1 个工作日内回访、15 个工作日内整改。 A bad rating is called back within 1 working day and put right within 15."), tabs, body);
  for (const [view, zh, en] of [["followups", "差评整改", "Follow-ups"], ["all", "全部评价", "All ratings"]]) {
    const b = el("button", { type: "button", id: "tab-" + view, "aria-pressed": String(view === S.view) }, zh + " " + en);
    b.addEventListener("click", () => {
      S.view = view;
      for (const x of tabs.children) x.setAttribute("aria-pressed", String(x.id === "tab-" + view));
      show();
    });
    tabs.append(b);
  }

  api("GET", "/ratings/reasons").then((r) => {
    for (const x of r.reasons || []) S.reasons[x.code] = x.name;
  }).catch(() => {}).finally(() => S.alive && show());

  function show() {
    if (S.view === "followups") followups(); else all();
  }

  function reasonWords(codes) {
    return (codes || []).map((c) => S.reasons[c] || c).join("、");
  }

  // what a rating was of: ticket, application, window, staff member, item.
  function about(r) {
    return [r.ticket_number ? "排队号 " + r.ticket_number + (r.ticket_day ? " (" + r.ticket_day + ")" : "") : null,
      r.application_number ? "办件 " + r.application_number : null,
      r.window ? r.window + " 号窗口" : null, r.staff ? "工作人员 " + r.staff : null, r.item || null]
      .filter(Boolean).join(" · ");
  }

  // ---- follow-ups ----
  const openOnly = el("input", { type: "checkbox", id: "open-only", checked: true });
  const fuHead = el("p", {}, el("label", {}, openOnly, " 只看未完成 Open only"));
  const list = el("div", { class: "sv-followups" });
  openOnly.addEventListener("change", () => followups());
  async function followups() {
    if (fuHead.parentNode !== body) body.replaceChildren(fuHead, list);
    list.replaceChildren(loading());
    let rs;
    try {
      rs = await api("GET", "/ratings/followups" + (openOnly.checked ? "?open=true" : ""));
    } catch (e) {
      list.replaceChildren(failure(e, followups));
      return;
    }
    if (!S.alive || S.view !== "followups") return;
    if (!rs.length) {
      list.replaceChildren(el("p", { class: "card sv-empty" }, openOnly.checked ? "没有待整改的差评 No open follow-ups." : "没有差评 No bad ratings."));
      return;
    }
    list.replaceChildren(...rs.map(followupCard));
  }

  function due(label, en, date, done, overdue) {
    let state;
    if (done) state = el("span", { class: "sv-flag ok" }, "✓ 已完成 done" + (overdue ? "（逾期完成 late）" : ""));
    else if (overdue) state = el("span", { class: "sv-flag red" }, "已逾期 Overdue");
    else state = el("span", { class: "sv-flag wait" }, "待办 To do");
    return el("div", { class: "sv-due" }, el("span", { class: "muted" }, bi(label, en)), " ", el("strong", {}, date), " ", state);
  }

  function followupCard(r) {
    const f = r.followup || {};
    const line = statusLine();
    const card = el("article", { class: "card sv-followup" + (f.open ? "" : " closed"), id: "followup-" + r.id, "data-rating": String(r.id) });
    const top = el("div", { class: "sv-fu-head" }, levelBadge(r.level),
      el("span", {}, dateTime(r.at)), el("span", { class: "muted" }, CHANNELS[r.channel] || r.channel),
      f.open ? el("span", { class: "sv-flag wait" }, "整改中 Open") : el("span", { class: "sv-flag ok" }, "已整改 Resolved"));
    const what = el("p", {}, about(r));
    const said = el("p", {}, r.reasons && r.reasons.length ? el("span", {}, "原因 Reasons：", reasonWords(r.reasons)) : null,
      r.comment ? el("span", { class: "sv-comment" }, "“", r.comment, "”") : null);
    const dues = el("div", { class: "sv-dues" },
      due("回访期限", "Call back by", f.callback_due, !!f.called_back_at, f.callback_overdue),
      due("整改期限", "Resolve by", f.resolve_due, !!f.resolved_at, f.resolve_overdue),
      f.provisional ? el("span", { class: "muted" }, "按暂定节假日计算 provisional calendar") : null);

    let step1, step2;
    if (f.called_back_at) {
      step1 = el("div", { class: "sv-step done" }, el("strong", {}, "① 已回访 Called back"), " ", dateTime(f.called_back_at), " · ", f.called_back_by,
        el("p", {}, f.callback_note));
    } else {
      const note = el("textarea", { id: "callback-note-" + r.id, rows: "2", maxlength: "1000", required: true,
        placeholder: "群众的意见，或未能联系上的原因 What the citizen said, or why they could not be reached" });
      const btn = el("button", { type: "submit", class: "primary", id: "callback-" + r.id }, "记录回访 Record call back");
      step1 = el("form", { class: "sv-step" }, el("label", { for: "callback-note-" + r.id }, el("strong", {}, "① 回访 Call back")), note, btn);
      step1.addEventListener("submit", (ev) => act(ev, btn, "callback", { note: note.value.trim() }));
    }
    if (f.resolved_at) {
      step2 = el("div", { class: "sv-step done" }, el("strong", {}, "② 已整改 Resolved"), " ", dateTime(f.resolved_at), " · ", f.resolved_by,
        el("p", {}, f.resolution));
    } else if (f.called_back_at) {
      const text = el("textarea", { id: "resolution-" + r.id, rows: "2", maxlength: "1000", required: true,
        placeholder: "采取的整改措施 What was done to put it right" });
      const btn = el("button", { type: "submit", class: "primary", id: "resolve-" + r.id }, "记录整改 Record resolution");
      step2 = el("form", { class: "sv-step" }, el("label", { for: "resolution-" + r.id }, el("strong", {}, "② 整改 Resolve")), text, btn);
      step2.addEventListener("submit", (ev) => act(ev, btn, "resolve", { resolution: text.value.trim() }));
    } else {
      step2 = el("div", { class: "sv-step later muted" }, el("strong", {}, "② 整改 Resolve"), " 先记录回访 Record the call back first");
    }
    const rerate = f.rerating_level ? el("p", {}, "群众重新评价 Re-rated：", levelBadge(f.rerating_level)) : null;
    card.append(...[top, what, said, dues, step1, step2, rerate, line.node].filter(Boolean));

    async function act(ev, btn, kind, body) {
      ev.preventDefault();
      line.clear();
      btn.disabled = true;
      try {
        const updated = await api("POST", "/ratings/" + r.id + "/" + kind, body);
        card.replaceWith(followupCard(updated));
        const again = document.getElementById("followup-" + r.id);
        if (again) {
          const st = again.querySelector(".sv-status");
          st.className = "sv-status ok";
          st.textContent = kind === "callback" ? "已记录回访 Call back recorded" : "已记录整改 Resolution recorded";
        }
      } catch (e) {
        line.fail(e);
        btn.disabled = false;
      }
    }
    return card;
  }

  // ---- all ratings ----
  const F = {
    from: el("input", { type: "date", id: "r-from", value: addDays(ctx.day, -29) }),
    to: el("input", { type: "date", id: "r-to", value: ctx.day }),
    level: el("select", { id: "r-level" }, el("option", { value: "" }, "全部 All"),
      [5, 4, 3, 2, 1].map((l) => el("option", { value: String(l) }, l + " " + LEVELS[l][0]))),
    window: el("input", { id: "r-window", size: "4", inputmode: "numeric" }),
    staff: el("input", { id: "r-staff", size: "10" }),
    bad: el("input", { type: "checkbox", id: "r-bad" }),
  };
  function all() {
    const out = el("div", {}, loading());
    const form = el("form", { class: "sv-filters" },
      el("label", {}, "从 From", F.from), el("label", {}, "到 To", F.to), el("label", {}, "等级 Level", F.level),
      el("label", {}, "窗口 Window", F.window), el("label", {}, "工作人员 Staff", F.staff),
      el("label", { class: "check" }, F.bad, " 只看差评 Bad only"),
      el("button", { type: "submit", class: "primary" }, "查询 Search"));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
    body.replaceChildren(form, out);
    async function search() {
      const q = new URLSearchParams();
      if (F.from.value) q.set("from", F.from.value);
      if (F.to.value) q.set("to", F.to.value);
      if (F.level.value) q.set("level", F.level.value);
      if (F.window.value.trim()) q.set("window", F.window.value.trim());
      if (F.staff.value.trim()) q.set("staff", F.staff.value.trim());
      if (F.bad.checked) q.set("bad", "true");
      out.replaceChildren(loading());
      let rs;
      try {
        rs = await api("GET", "/ratings?" + q.toString());
      } catch (e) {
        out.replaceChildren(failure(e, search));
        return;
      }
      if (!S.alive) return;
      const n = rs.length, bad = rs.filter((r) => r.bad && !r.superseded).length;
      const rows = rs.map((r) => el("tr", { class: r.superseded ? "superseded" : "" },
        el("td", {}, dateTime(r.at)), el("td", {}, levelBadge(r.level), r.superseded ? el("div", { class: "muted" }, "已被重新评价取代 superseded") : null),
        el("td", {}, about(r)), el("td", {}, CHANNELS[r.channel] || r.channel),
        el("td", {}, reasonWords(r.reasons), r.comment ? el("div", { class: "sv-comment" }, "“" + r.comment + "”") : null),
        el("td", {}, r.followup ? (r.followup.open ? el("span", { class: "sv-flag " + (r.followup.callback_overdue || r.followup.resolve_overdue ? "red" : "wait") },
          r.followup.callback_overdue || r.followup.resolve_overdue ? "整改逾期 Overdue" : "整改中 Open") : el("span", { class: "sv-flag ok" }, "已整改 Resolved")) : "")));
      out.replaceChildren(el("p", { class: "muted" }, "共 " + n + " 条，差评 " + bad + " 条 " + n + " ratings, " + bad + " bad"),
        n ? table("评价 Ratings", [bi("时间", "When"), bi("等级", "Level"), bi("对象", "About"), bi("渠道", "Channel"), bi("原因", "Reasons"), bi("整改", "Follow-up")], rows)
          : el("p", { class: "card sv-empty" }, "没有符合条件的评价 No ratings match."));
    }
    search();
  }

  return { unmount() { S.alive = false; } };
}
