// supervisor-application.js: one application's details (办件详情), opened
// from a warning: its item, applicant (ID number masked), status and
// step, the working-day clock against the promised and legal limits, and
// every event with who did it and when. The number comes in the URL's
// fragment (/supervisor/application#NUMBER), which is never sent to the
// server in a page request.
import { api, el } from "/static/js/api.js";
import { bi, heading, dateTime, table, loading, failure } from "/static/js/supervisor-util.js";
import { warningBadge, daysWords } from "/static/js/supervisor-warnings.js";

const STEPS = [["accept", "受理"], ["review", "审核"], ["decide", "决定"], ["make", "制证"], ["deliver", "送达"]];
const STATUS = {
  in_progress: "办理中 In progress", awaiting_materials: "待补正材料 Waiting for materials",
  suspended: "暂停计时 Suspended", completed: "已办结 Completed",
};
const OUTCOME = { approved: "准予 Approved", rejected: "不予 Rejected", withdrawn: "撤回 Withdrawn" };
const EVENTS = {
  accept: "受理 Accepted", advance: "进入下一环节 Advanced", request_materials: "一次性告知补正 Materials requested",
  materials_received: "补正材料收到 Materials received", suspend: "暂停计时 Suspended", resume: "恢复计时 Resumed",
  extend: "延长时限 Extended", complete: "办结 Completed",
};
const SUSPEND = { hearing: "听证 hearing", testing: "检验检测 testing", expert_review: "专家评审 expert review", inspection: "现场勘查 inspection" };

export function mount(root, ctx) {
  let number = "";
  try {
    number = decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    number = ""; // a damaged link (#%): treated as no application given
  }
  const back = el("a", { href: "/supervisor/warnings" }, "← 返回时限预警 Back to the warnings");
  back.addEventListener("click", (ev) => { ev.preventDefault(); ctx.go("/supervisor/warnings"); });
  const body = el("div", {}, loading());
  root.append(el("p", {}, back), heading("办件详情", "Application", number || ""), body);
  if (!number) {
    body.replaceChildren(el("p", {}, "没有指定办件 No application given."));
    return {};
  }
  let alive = true;
  async function load() {
    try {
      const a = await api("GET", "/applications/" + encodeURIComponent(number));
      if (alive) render(a);
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
    }
  }
  function render(a) {
    const c = a.clock;
    const stepIndex = STEPS.findIndex(([s]) => s === a.step);
    const steps = el("ol", { class: "sv-steps", "aria-label": "环节 Steps" }, STEPS.map(([s, zh], i) =>
      el("li", { class: i < stepIndex || a.status === "completed" ? "done" : i === stepIndex ? "current" : "" },
        zh, i === stepIndex && a.status !== "completed" ? el("span", { class: "sr-only" }, "（当前 current）") : null)));
    const facts = el("dl", { class: "sv-facts" },
      el("dt", {}, bi("事项", "Item")), el("dd", {}, a.item_name, " ", el("span", { class: "muted" }, a.item)),
      el("dt", {}, bi("申请人", "Applicant")), el("dd", {}, a.applicant_name, " ", el("span", { class: "mono" }, a.applicant_id_masked)),
      el("dt", {}, bi("状态", "Status")), el("dd", {}, STATUS[a.status] || a.status, a.outcome ? " · " + (OUTCOME[a.outcome] || a.outcome) : ""),
      el("dt", {}, bi("受理", "Accepted")), el("dd", {}, dateTime(a.accepted_at), " · ", a.accepted_by, a.window ? " · " + a.window + " 号窗口" : ""),
      el("dt", {}, bi("预警", "Warning")), el("dd", {}, warningBadge(c), " ", daysWords(c)),
      el("dt", {}, bi("已用", "Used")), el("dd", {}, c.used_days + " 个工作日 working days"),
      el("dt", {}, bi("承诺时限", "Promised")), el("dd", {}, c.promised_limit_days + " 个工作日，至 " + c.promised_deadline),
      el("dt", {}, bi("法定时限", "Legal")), el("dd", {}, c.legal_limit_days + " 个工作日，至 " + c.legal_deadline, c.provisional ? el("span", { class: "muted" }, "（按暂定节假日计算 provisional calendar）") : null));
    const events = table("办理过程 Events", [bi("时间", "When"), bi("事件", "Event"), bi("经办", "By"), bi("说明", "Note")],
      (a.events || []).map((e) => [dateTime(e.at), eventWords(e), e.actor, e.note || ""]));
    body.replaceChildren(el("div", { class: "card" }, steps, facts), el("h2", {}, bi("办理过程", "Events")), events);
  }
  load();
  return { unmount() { alive = false; } };
}

function eventWords(e) {
  let w = EVENTS[e.kind] || e.kind;
  if (e.step) w += "：" + ((STEPS.find(([s]) => s === e.step) || [])[1] || e.step);
  if (e.suspend) w += "：" + (SUSPEND[e.suspend] || e.suspend);
  if (e.days) w += "：" + e.days + " 个工作日";
  if (e.outcome) w += "：" + (OUTCOME[e.outcome] || e.outcome);
  return w;
}
