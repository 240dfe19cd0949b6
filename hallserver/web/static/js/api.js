// api.js: the hall server API for the pages — fetch with the session
// cookie and the CSRF header, errors as readable messages, and live events
// over EventSource that reconnect and catch up by themselves.

// csrf reads the CSRF cookie set at login (double submit).
function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)onestop_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

// ApiError carries the server's code and message.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls /api/v1 + path; body (if any) is sent as JSON. It resolves to
// the parsed answer (null for 204) or rejects with an ApiError.
export async function api(method, path, body) {
  const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET" && method !== "HEAD") opts.headers["X-CSRF-Token"] = csrf();
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch("/api/v1" + path, opts);
  } catch (e) {
    throw new ApiError(0, "unavailable", "无法连接大厅服务器，请检查网络 (cannot reach the hall server)");
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    throw new ApiError(res.status, data && data.code || "error", data && data.message || res.statusText);
  }
  return data;
}

// live subscribes to the hall's live events. handlers maps event types to
// functions of the parsed data; "reset" is called when the server cannot
// replay what was missed (reload the state then), "open" and "error" when
// the connection comes and goes. EventSource reconnects by itself and
// sends Last-Event-ID, so missed events arrive first.
export function live(handlers) {
  const es = new EventSource("/api/v1/events");
  for (const [type, fn] of Object.entries(handlers)) {
    if (type === "open") es.addEventListener("open", () => fn());
    else if (type === "error") es.addEventListener("error", () => fn());
    else es.addEventListener(type, (ev) => fn(ev.data ? JSON.parse(ev.data) : {}, ev));
  }
  return es;
}

// el builds an element: el("td", {class: "x"}, "text", child…). Text is
// always set as text, never as HTML.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
