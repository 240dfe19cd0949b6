// login.js: staff pages start with requireStaff, which returns who is
// signed in (GET /api/v1/me), or shows a sign-in form and waits for it.
// The session lives in an HttpOnly cookie; the page never keeps a token.
import { api, el, ApiError } from "/static/js/api.js";

// requireStaff resolves to the signed-in staff member (api.Me) once their
// role is one of roles; otherwise it shows the sign-in form in place of
// the page (the element with id "app") and resolves after a good sign-in.
export async function requireStaff(roles, title) {
  try {
    const me = await api("GET", "/me");
    if (me && roles.includes(me.role)) return me;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
  }
  return new Promise((resolve) => showForm(roles, title, resolve));
}

// signOut ends the session and reloads the page (back to the form).
export async function signOut() {
  try { await api("POST", "/auth/logout"); } finally { location.reload(); }
}

function showForm(roles, title, resolve) {
  const app = document.getElementById("app");
  const user = el("input", { id: "login-username", name: "username", autocomplete: "username", required: true });
  const pass = el("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const msg = el("p", { id: "login-error", class: "error", role: "alert" });
  const form = el("form", { id: "login-form", class: "card narrow" },
    el("h1", {}, title),
    el("label", {}, "用户名 Username", el("br"), user), el("br"),
    el("label", {}, "密码 Password", el("br"), pass), el("br"),
    msg,
    el("button", { class: "primary", type: "submit", id: "login-submit" }, "登录 Sign in"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    msg.textContent = "";
    try {
      // cookie: the session stays in the HttpOnly cookie; the answer has no token.
      await api("POST", "/auth/login", { username: user.value.trim(), password: pass.value, cookie: true });
      const me = await api("GET", "/me");
      if (!roles.includes(me.role)) {
        msg.textContent = "此账号无权使用本页面 This account may not use this page (" + me.role + ")";
        return;
      }
      app.replaceChildren();
      resolve(me);
    } catch (e) {
      const zh = { 401: "用户名或密码错误", 429: "失败次数过多，请稍后再试" }[e.status];
      msg.textContent = zh ? zh + "：" + e.message : e.message;
    }
  });
  app.replaceChildren(form);
  user.focus();
}
