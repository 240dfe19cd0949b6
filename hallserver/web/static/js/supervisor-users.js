// supervisor-users.js: staff accounts (账号) — for an admin: every account
// with its role and state, a new account, a password reset, disabling and
// enabling. A supervisor may not manage accounts (the server refuses them
// anyway): the section says so and who to ask.
import { api, el } from "/static/js/api.js";
import { bi, heading, dateTime, table, loading, failure, statusLine } from "/static/js/supervisor-util.js";

const ROLES = { counter: "窗口人员 Counter staff", supervisor: "值班主任 Supervisor", admin: "管理员 Admin", technician: "技术员 Technician" };

export function mount(root, ctx) {
  root.append(heading("账号", "Staff accounts"));
  if (ctx.me.role !== "admin") {
    root.append(el("div", { class: "card sv-readonly", id: "users-admin-only" },
      el("p", {}, el("strong", {}, "账号由管理员管理。"), " 需要新建账号、重置密码或停用账号，请联系大厅管理员（或在服务器上用 hallctl users）。"),
      el("p", { class: "en", lang: "en" }, "Accounts are managed by an admin: ask the hall's admin (or use hallctl users on the server) to add an account, reset a password or disable one."),
      el("p", { class: "muted" }, "您当前的身份 You are signed in as: ", ctx.me.username, "（", ROLES[ctx.me.role] || ctx.me.role, "）")));
    return {};
  }
  const line = statusLine();
  const list = el("div", {}, loading());
  const F = {
    username: el("input", { id: "u-username", autocomplete: "off", required: true, pattern: "[a-z0-9._-]{2,32}" }),
    name: el("input", { id: "u-name", autocomplete: "off", required: true }),
    role: el("select", { id: "u-role" }, Object.entries(ROLES).map(([v, w]) => el("option", { value: v }, w))),
    password: el("input", { id: "u-password", type: "password", autocomplete: "new-password", required: true, minlength: "10" }),
  };
  const create = el("form", { class: "card sv-filters", id: "user-create" },
    el("label", {}, "用户名 Username", F.username), el("label", {}, "姓名 Name", F.name), el("label", {}, "角色 Role", F.role),
    el("label", {}, "初始密码（至少 10 位） Initial password, 10+", F.password),
    el("button", { type: "submit", class: "primary" }, "新建账号 Add account"));
  create.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    line.clear();
    try {
      const u = await api("POST", "/users", { username: F.username.value.trim(), display_name: F.name.value.trim(), role: F.role.value, password: F.password.value });
      line.ok("已新建 Added " + u.username);
      F.username.value = F.name.value = F.password.value = "";
      load();
    } catch (e) {
      line.fail(e);
    }
  });
  root.append(el("h2", {}, bi("新建账号", "Add an account")), create, line.node, el("h2", {}, bi("全部账号", "Accounts")), list);
  let alive = true;

  async function load() {
    let us;
    try {
      us = await api("GET", "/users");
    } catch (e) {
      if (alive) list.replaceChildren(failure(e, load));
      return;
    }
    if (!alive) return;
    list.replaceChildren(table("账号 Accounts", [bi("用户名", "Username"), bi("姓名", "Name"), bi("角色", "Role"), bi("状态", "State"),
      bi("密码修改于", "Password set"), bi("操作", "Actions")], us.map(row)));
  }

  function row(u) {
    const reset = el("form", { class: "sv-inline hidden" },
      el("label", { class: "sr-only", for: "pw-" + u.username }, "新密码 New password"),
      el("input", { id: "pw-" + u.username, type: "password", autocomplete: "new-password", minlength: "10", required: true, placeholder: "新密码 New password" }),
      el("button", { type: "submit", class: "primary" }, "确定 Set"));
    reset.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      line.clear();
      try {
        await api("POST", "/users/" + encodeURIComponent(u.username) + "/password", { password: reset.querySelector("input").value });
        line.ok("已重置 " + u.username + " 的密码 Password reset");
        load();
      } catch (e) {
        line.fail(e);
      }
    });
    const resetBtn = el("button", { type: "button", onclick: () => { reset.classList.toggle("hidden"); reset.querySelector("input").focus(); } }, "重置密码 Reset password");
    const toggle = el("button", { type: "button", class: u.disabled ? "" : "danger", id: (u.disabled ? "enable-" : "disable-") + u.username }, u.disabled ? "启用 Enable" : "停用 Disable");
    toggle.addEventListener("click", async () => {
      line.clear();
      if (u.username === ctx.me.username && !u.disabled) {
        line.fail(new Error("不能停用自己的账号 You cannot disable your own account"));
        return;
      }
      try {
        await api("POST", "/users/" + encodeURIComponent(u.username) + (u.disabled ? "/enable" : "/disable"));
        line.ok((u.disabled ? "已启用 Enabled " : "已停用 Disabled ") + u.username);
        load();
      } catch (e) {
        line.fail(e);
      }
    });
    return el("tr", { id: "user-" + u.username, class: u.disabled ? "disabled" : "" },
      el("td", { class: "mono" }, u.username), el("td", {}, u.display_name), el("td", {}, ROLES[u.role] || u.role),
      el("td", {}, u.disabled ? el("span", { class: "sv-flag red" }, "已停用 Disabled") : el("span", { class: "sv-flag ok" }, "正常 Active")),
      el("td", {}, dateTime(u.password_changed_at)),
      el("td", { class: "sv-actions" }, resetBtn, toggle, reset));
  }

  load();
  return { unmount() { alive = false; } };
}
