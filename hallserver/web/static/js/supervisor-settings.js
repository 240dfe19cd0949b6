// supervisor-settings.js: the hall's queue rules (叫号规则) — how priority
// tickets (elderly, disabled, pregnant, appointment, green lane) are called
// against the others: strictly first, one in every N+1 calls (interleave),
// or by adding a bonus to their wait (ageing); the recalls before a
// no-show; the service time assumed for wait estimates; when an
// application's clock turns yellow; the age for the elderly priority. The
// server checks every value and says what is wrong; its message is shown
// as it is. A change made elsewhere (settings.changed) reloads the form
// unless it is being edited.
import { api, el } from "/static/js/api.js";
import { bi, heading, loading, failure, statusLine } from "/static/js/supervisor-util.js";

export function mount(root, ctx) {
  const body = el("div", {}, loading());
  root.append(heading("叫号规则", "Queue settings", "修改立即生效，并记入审计日志。 Changes apply at once and are audited."), body);
  let alive = true, dirty = false;
  const line = statusLine();

  const F = {
    kind: el("select", { id: "policy-kind" },
      el("option", { value: "strict" }, "严格优先 Strict: priority tickets always first"),
      el("option", { value: "interleave" }, "交替 Interleave: one priority call after every N regular calls"),
      el("option", { value: "ageing" }, "按等待加分 Ageing: priority tickets count as having waited longer")),
    n: el("input", { id: "policy-n", type: "number", min: "1", max: "100", step: "1", inputmode: "numeric" }),
    bonus: el("input", { id: "policy-bonus", type: "number", min: "1", step: "1", inputmode: "numeric" }),
    recalls: el("input", { id: "no-show-after", type: "number", min: "0", step: "1", inputmode: "numeric" }),
    service: el("input", { id: "service-seconds", type: "number", min: "1", step: "1", inputmode: "numeric" }),
    yellowPercent: el("input", { id: "yellow-percent", type: "number", min: "0", max: "100", step: "1", inputmode: "numeric" }),
    yellowDays: el("input", { id: "yellow-days", type: "number", min: "0", step: "1", inputmode: "numeric" }),
    elderly: el("input", { id: "elderly-age", type: "number", min: "0", max: "120", step: "1", inputmode: "numeric" }),
  };
  const nRow = field("policy-n", "交替间隔 N", "Regular calls between priority calls", F.n, "例如 3：每叫 3 个普通号后叫 1 个优先号。");
  const bonusRow = field("policy-bonus", "等待加分（分钟）", "Ageing bonus, minutes", F.bonus, "优先号按多等了这么久排队。");
  const save = el("button", { type: "submit", class: "primary", id: "settings-save" }, "保存 Save");
  const policyNow = el("p", { class: "muted", id: "policy-now" });
  const form = el("form", { class: "card sv-form", id: "settings-form", novalidate: true },
    el("fieldset", {}, el("legend", {}, bi("优先叫号策略", "Priority policy")),
      field("policy-kind", "策略", "Policy", F.kind), nRow, bonusRow, policyNow),
    el("fieldset", {}, el("legend", {}, bi("叫号", "Calling")),
      field("no-show-after", "重呼几次后记为过号", "Recalls before a no-show", F.recalls),
      field("service-seconds", "每人预计办理时间（秒）", "Assumed service time, seconds", F.service, "用于估算等候时间 For the wait estimates.")),
    el("fieldset", {}, el("legend", {}, bi("时限预警", "Time-limit warnings")),
      field("yellow-percent", "剩余不超过承诺时限的百分之几时亮黄牌", "Yellow when at most this % of the promised limit is left", F.yellowPercent),
      field("yellow-days", "或剩余不超过几个工作日时亮黄牌", "…or at most this many working days", F.yellowDays)),
    el("fieldset", {}, el("legend", {}, bi("老年人优先", "Elderly priority")),
      field("elderly-age", "自多少周岁起优先（0 为关闭）", "From this age on (0: off)", F.elderly, "自助终端读身份证出生日期。 Kiosks read it from the ID card.")),
    line.node, save);
  F.kind.addEventListener("change", showPolicyFields);
  form.addEventListener("input", () => { dirty = true; line.clear(); showPolicyFields(); });
  form.addEventListener("submit", submit);

  function field(id, zh, en, input, hint) {
    return el("div", { class: "sv-field" }, el("label", { for: id }, zh, el("br"), el("span", { class: "en", lang: "en" }, en)), input,
      hint ? el("span", { class: "muted sv-hint" }, hint) : null);
  }

  function showPolicyFields() {
    nRow.classList.toggle("hidden", F.kind.value !== "interleave");
    bonusRow.classList.toggle("hidden", F.kind.value !== "ageing");
    policyNow.textContent = "将保存为 Saved as: " + policyText();
  }

  // policyText is the policy as the API writes it: strict, interleave:3,
  // ageing:15m.
  function policyText() {
    if (F.kind.value === "interleave") return "interleave:" + F.n.value.trim();
    if (F.kind.value === "ageing") return "ageing:" + F.bonus.value.trim() + "m";
    return "strict";
  }

  function fill(s) {
    const [kind, param] = s.policy.split(":");
    F.kind.value = kind;
    F.n.value = kind === "interleave" ? param : "3";
    F.bonus.value = kind === "ageing" ? String(minutes(param)) : "15";
    F.recalls.value = s.no_show_after_recalls;
    F.service.value = s.default_service_seconds;
    F.yellowPercent.value = s.yellow_percent ?? "";
    F.yellowDays.value = s.yellow_days ?? "";
    F.elderly.value = s.elderly_priority_age ?? "";
    dirty = false;
    showPolicyFields();
  }

  async function load() {
    try {
      const s = await api("GET", "/settings");
      if (!alive) return;
      fill(s);
      body.replaceChildren(form);
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
    }
  }

  async function submit(ev) {
    ev.preventDefault();
    line.clear();
    const num = (input) => (input.value.trim() === "" ? NaN : Number(input.value));
    const body = {
      policy: policyText(), no_show_after_recalls: num(F.recalls), default_service_seconds: num(F.service),
      yellow_percent: num(F.yellowPercent), yellow_days: num(F.yellowDays), elderly_priority_age: num(F.elderly),
    };
    const empty = [[F.n, F.kind.value === "interleave"], [F.bonus, F.kind.value === "ageing"], [F.recalls, true], [F.service, true],
      [F.yellowPercent, true], [F.yellowDays, true], [F.elderly, true]].find(([input, used]) => used && input.value.trim() === "");
    if (empty) {
      line.fail(new Error("请填写这一项 Fill this in: " + document.querySelector("label[for='" + empty[0].id + "']").textContent));
      empty[0].focus();
      return;
    }
    save.disabled = true;
    try {
      const s = await api("PUT", "/settings", body);
      fill(s);
      line.ok("已保存，立即生效 Saved: in force now (" + s.policy + ")");
    } catch (e) {
      line.fail(e);
    } finally {
      save.disabled = false;
    }
  }

  load();
  return {
    onEvent(type) {
      if (type !== "settings.changed") return;
      if (dirty) line.ok("规则已在别处修改；保存将覆盖它 The settings were changed elsewhere: saving replaces that change.");
      else load();
    },
    unmount() { alive = false; },
  };
}

// minutes reads a Go duration such as 15m, 1h30m or 90s as whole minutes.
function minutes(d) {
  let total = 0;
  for (const [, n, unit] of String(d).matchAll(/([\d.]+)(h|m|s|ms)/g)) {
    total += Number(n) * { h: 60, m: 1, s: 1 / 60, ms: 1 / 60000 }[unit];
  }
  return Math.round(total) || 1;
}
