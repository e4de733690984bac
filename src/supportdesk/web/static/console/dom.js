// Tiny DOM helpers. User content only ever becomes text nodes (or renderMarkdown output).

/** h("div.a.b", {onclick, title, dataset, hidden}, child, "text", [more]) -> Element */
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (key === "text") {
      el.textContent = value;
    } else if (key in el && typeof value !== "string") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export function initials(name) {
  const words = String(name || "")
    .trim()
    .split(/\s+/)
    .map((word) => Array.from(word).filter((ch) => /[\p{L}\p{N}]/u.test(ch)))
    .filter((chars) => chars.length);
  if (!words.length) return "?";
  const first = words[0][0];
  // A CJK name reads best as its first character alone.
  if (/\p{Script=Han}|\p{Script=Hangul}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(first)) return first;
  const second = words.length > 1 ? words[words.length - 1][0] : words[0][1] || "";
  return (first + second).toUpperCase();
}

const AVATAR_COLOURS = ["#2563eb", "#7c3aed", "#db2777", "#ea580c", "#059669", "#0891b2", "#4f46e5", "#b45309"];

export function avatar(name, id, size = "md") {
  const el = h(`span.avatar.avatar-${size}`, { "aria-hidden": "true", text: initials(name) });
  el.style.backgroundColor = AVATAR_COLOURS[Math.abs(Number(id) || 0) % AVATAR_COLOURS.length];
  return el;
}

export function icon(name) {
  // Icons are CSS masks on a span (no inline SVG needed under the CSP).
  return h(`span.icon.icon-${name}`, { "aria-hidden": "true" });
}

let toastHost = null;

export function toast(text, kind = "info", ms = 5000) {
  if (!toastHost) {
    toastHost = h("div.toasts", { role: "status", "aria-live": "polite" });
    document.body.append(toastHost);
  }
  const el = h(`div.toast.toast-${kind}`, { role: kind === "error" ? "alert" : null }, text);
  toastHost.append(el);
  setTimeout(() => el.remove(), ms);
  return el;
}

export function isTyping(target) {
  if (!target || !(target instanceof Element)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

export function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(0)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
