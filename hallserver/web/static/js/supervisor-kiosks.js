// supervisor-kiosks.js: kiosk and device health (自助终端) — every
// enrolled kiosk, online or not (a heartbeat within 2 minutes), its last
// contact and software version, and each device that was not ok at the
// last heartbeat (no paper, a reader that does not answer), in words and
// colour. Read again every 30 seconds, as heartbeats come.
import { api, el } from "/static/js/api.js";
import { bi, heading, dateTime, table, loading, failure } from "/static/js/supervisor-util.js";

const DEVICES = { idcard: "身份证阅读器 ID card reader", printer: "小票打印机 ticket printer", a4: "A4 打印机 A4 printer", scanner: "扫码器 scanner" };
const STATES = { warning: ["注意", "Attention", "yellow"], problem: ["故障", "Fault", "red"] };

export function mount(root) {
  const body = el("div", {}, loading());
  root.append(heading("自助终端", "Kiosks and devices", "终端每 30 秒报告一次；2 分钟没有消息即为离线。 Kiosks report every 30 s; silent for 2 minutes is offline."), body);
  let alive = true;

  async function load() {
    let ks;
    try {
      ks = await api("GET", "/kiosks");
    } catch (e) {
      if (alive) body.replaceChildren(failure(e, load));
      return;
    }
    if (!alive) return;
    if (!ks.length) {
      body.replaceChildren(el("p", { class: "card sv-empty" }, "还没有登记的自助终端（由技术员用 hallctl 登记） No kiosks enrolled yet (a technician enrolls them with hallctl)."));
      return;
    }
    const online = ks.filter((k) => k.online && !k.disabled).length, faulty = ks.filter((k) => (k.problems || []).some((p) => p.state === "problem")).length;
    const rows = ks.map((k) => el("tr", { id: "kiosk-" + k.name, class: k.online ? "" : "offline" },
      el("td", {}, el("strong", {}, k.name)),
      el("td", {}, k.disabled ? el("span", { class: "sv-flag wait" }, "已停用 Disabled")
        : k.online ? el("span", { class: "sv-flag ok" }, "● 在线 Online") : el("span", { class: "sv-flag red" }, "○ 离线 Offline")),
      el("td", {}, k.last_seen && !k.last_seen.startsWith("0001-") ? dateTime(k.last_seen) : el("span", { class: "muted" }, "从未联系 never")),
      el("td", {}, k.app_version || "—"),
      el("td", {}, (k.problems || []).length ? el("ul", { class: "sv-problems" }, k.problems.map((p) => {
        const [zh, en, cls] = STATES[p.state] || [p.state, p.state, "yellow"];
        return el("li", {}, el("span", { class: "sv-warn " + cls }, zh + " " + en), " ", DEVICES[p.device] || p.device, p.problem ? "：" + p.problem : "");
      })) : el("span", { class: "ok-text" }, "✓ 设备正常 All devices ok"))));
    body.replaceChildren(
      el("p", { class: "sv-counts" }, "在线 ", el("strong", {}, String(online)), " / " + ks.length + " online", faulty ? el("span", { class: "sv-flag red" }, " 有故障 " + faulty + " faulty") : null),
      table("自助终端 Kiosks", [bi("终端", "Kiosk"), bi("状态", "Status"), bi("最后联系", "Last contact"), bi("版本", "Version"), bi("设备", "Devices")], rows));
  }
  const tick = setInterval(load, 30000);
  load();
  return { unmount() { alive = false; clearInterval(tick); } };
}
