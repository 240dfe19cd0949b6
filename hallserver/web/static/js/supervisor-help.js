// supervisor-help.js: help calls from kiosks (一键呼叫) — the open calls,
// oldest first, each with when it came, how often it was pressed, and a
// button to say someone is on the way (which closes it for every
// supervisor). New calls arrive live (kiosk.help); the alert at the top
// of every section chimes for them.
import { api, el } from "/static/js/api.js";
import { bi, heading, clock, dateTime, loading, failure, statusLine } from "/static/js/supervisor-util.js";

export function mount(root, ctx) {
  const body = el("div", {}, loading());
  const line = statusLine();
  const done = el("ul", { class: "sv-answered", "aria-label": "刚处理的呼叫 Answered just now" });
  root.append(heading("呼叫求助", "Help calls", "群众在自助终端上按了“呼叫工作人员”。请前往该终端协助，然后点“已处理”。 A citizen pressed Call staff on a kiosk: go there, then mark it answered."),
    line.node, body, el("h2", {}, bi("本次处理", "Answered here")), done);
  let alive = true;

  async function load() {
    let calls;
    try {
      calls = await api("GET", "/kiosks/help");
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
      return;
    }
    if (!alive) return;
    if (!calls.length) {
      body.replaceChildren(el("p", { class: "card sv-empty", id: "no-help" }, "没有待处理的呼叫 No open help calls."));
      return;
    }
    body.replaceChildren(el("ul", { class: "sv-helps" }, calls.map((c) => {
      const btn = el("button", { type: "button", class: "primary", id: "answer-" + c.id }, "已处理 Answered");
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        line.clear();
        try {
          const a = await api("POST", "/kiosks/help/" + c.id + "/answer");
          done.prepend(el("li", {}, a.kiosk + " 号终端 ", el("span", { class: "muted" }, clock(a.called_at) + " 呼叫，" + clock(a.answered_at) + " 由 " + a.answered_by + " 处理")));
          line.ok("已处理 " + a.kiosk + " 的呼叫 Answered " + a.kiosk);
        } catch (e) {
          line.fail(e);
        }
        load();
        ctx.helpChanged();
      });
      return el("li", { class: "card sv-help", id: "help-" + c.id, "data-kiosk": c.kiosk },
        el("div", { class: "sv-help-kiosk" }, c.kiosk, el("span", { class: "muted" }, " 号自助终端 kiosk")),
        el("div", {}, "呼叫于 Called at ", el("strong", {}, clock(c.called_at)), el("span", { class: "muted" }, " (" + dateTime(c.called_at) + ")")),
        c.presses > 1 ? el("div", { class: "sv-flag red" }, "已按 " + c.presses + " 次，最近 " + clock(c.last_call) + " Pressed " + c.presses + " times") : null,
        btn);
    })));
  }

  load();
  return {
    onEvent(type) { if (type === "kiosk.help" || type === "reset") load(); },
    unmount() { alive = false; },
  };
}
