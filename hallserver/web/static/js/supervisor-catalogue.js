// supervisor-catalogue.js: the service catalogue (事项目录), read-only —
// departments with their items (queue, legal and promised limits, instant
// or not), the queues and the windows. The catalogue comes from the
// province (or is imported with hallctl); it cannot be edited here.
import { api, el } from "/static/js/api.js";
import { bi, heading, table, loading, failure } from "/static/js/supervisor-util.js";

export function mount(root) {
  const body = el("div", {}, loading());
  root.append(heading("事项目录", "Service catalogue"),
    el("p", { class: "card sv-readonly", id: "catalogue-readonly" }, "只读：事项目录由省级政务服务平台同步，或由管理员用 hallctl 导入；此处不能修改。",
      el("br"), el("span", { class: "en", lang: "en" }, "Read-only: the catalogue comes from the province's platform or is imported by an admin with hallctl; it cannot be changed here.")));
  let alive = true, cat = null;
  const search = el("input", { type: "search", id: "cat-search", placeholder: "名称或编码 Name or code" });
  search.addEventListener("input", () => cat && render());
  root.append(el("label", { class: "sv-search" }, "搜索事项 Search items ", search), body);

  async function load() {
    try {
      cat = await api("GET", "/catalogue");
      if (alive) render();
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
    }
  }

  function render() {
    const q = search.value.trim().toLowerCase();
    const queues = Object.fromEntries((cat.queues || []).map((x) => [x.code, x]));
    const match = (it) => !q || it.code.toLowerCase().includes(q) || it.name.includes(q) || (it.name_en || "").toLowerCase().includes(q);
    const depts = (cat.departments || []).map((d) => {
      const items = (cat.items || []).filter((it) => it.department === d.code && match(it));
      if (q && !items.length) return null;
      return el("details", { class: "card sv-dept", open: q ? true : undefined },
        el("summary", {}, el("strong", {}, d.name), " ", el("span", { class: "muted" }, d.code + " · " + items.length + " 项 items")),
        table(d.name + " 事项 items", [bi("编码", "Code"), bi("事项", "Item"), bi("队列", "Queue"), bi("法定时限", "Legal"), bi("承诺时限", "Promised")],
          items.map((it) => [el("span", { class: "mono" }, it.code), [it.name, it.instant ? el("span", { class: "sv-flag ok" }, " 即办 instant") : null],
            (queues[it.queue] ? it.queue + " " + queues[it.queue].name : it.queue || "—"),
            it.legal_days + " 个工作日", it.promised_days + " 个工作日"])));
    }).filter(Boolean);
    body.replaceChildren(
      el("p", { class: "muted" }, "版本 Version ", cat.version || "—", " · ", (cat.items || []).length, " 个事项 items"),
      el("h2", {}, bi("部门与事项", "Departments and items")), ...(depts.length ? depts : [el("p", { class: "card sv-empty" }, "没有符合的事项 No items match.")]),
      el("h2", {}, bi("队列", "Queues")),
      table("队列 Queues", [bi("队列", "Queue"), bi("名称", "Name"), bi("部门", "Departments")],
        (cat.queues || []).map((x) => [el("strong", {}, x.code), [x.name, " ", el("span", { class: "en", lang: "en" }, x.name_en)], (x.departments || []).join(" ")])),
      el("h2", {}, bi("窗口", "Windows")),
      table("窗口 Windows", [bi("窗口", "Window"), bi("名称", "Name"), bi("队列", "Queues")],
        (cat.windows || []).map((w) => [String(w.number), w.name, (w.queues || []).join(" ")])));
  }

  load();
  return { unmount() { alive = false; } };
}
