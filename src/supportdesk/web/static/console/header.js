// The top bar: brand, navigation, connection status, presence and the user menu.
import { post, put } from "./api.js";
import { avatar, h, replace, toast } from "./dom.js";
import { notificationsEnabled, setNotifications } from "./notify.js";
import { emit, on, state, t } from "./store.js";

export const LANGUAGES = [
  ["en", "English"],
  ["zh-Hans", "简体中文"],
  ["es", "Español"],
];

export function renderHeader({ onLogout, onLanguage, onHelp }) {
  const status = h("span.conn", { id: "connection-status", role: "status", "aria-live": "polite" });
  const presence = h("button.presence-toggle", { type: "button", id: "presence-toggle" });
  const menu = userMenu({ onLogout, onLanguage, onHelp });
  const nav = h(
    "nav.top-nav",
    { "aria-label": t("console.nav.label") },
    h("a.top-link", { href: "#/inbox/mine", dataset: { section: "inbox" } }, t("console.nav.conversations")),
    h("a.top-link", { href: "#/canned", dataset: { section: "canned" } }, t("console.nav.canned")),
    h("a.top-link", { href: "#/help", dataset: { section: "help" }, id: "nav-help" }, t("console.nav.help")),
    h("a.top-link", { href: "#/hours", dataset: { section: "hours" }, id: "nav-hours" }, t("console.nav.hours")),
  );
  const bar = h(
    "header.topbar",
    h("a.brand", { href: "#/inbox/mine" }, h("span.brand-mark", { "aria-hidden": "true" }), h("span.brand-name", "Supportdesk")),
    nav,
    h("div.topbar-spacer"),
    status,
    presence,
    menu.root,
  );

  function paintStatus() {
    const value = state.connection;
    status.className = `conn conn-${value}`;
    replace(status, h("span.dot", { "aria-hidden": "true" }), t(`console.connection.${value}`));
    status.title = t(`console.connection.${value}_hint`);
  }
  function paintPresence() {
    const away = state.presence === "away";
    presence.className = `presence-toggle presence-${state.presence}`;
    presence.setAttribute("aria-pressed", String(!away));
    presence.setAttribute("aria-label", t("console.presence.toggle", { status: t(`console.presence.${state.presence}`) }));
    replace(presence, h("span.dot", { "aria-hidden": "true" }), t(`console.presence.${state.presence}`));
  }
  presence.addEventListener("click", () => setPresence(state.presence === "away" ? "online" : "away"));
  on("connection", paintStatus);
  on("presence", paintPresence);
  on("route", (route) => {
    for (const link of nav.querySelectorAll("a")) {
      link.classList.toggle("active", link.dataset.section === route.page);
      if (link.dataset.section === route.page) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  });
  paintStatus();
  paintPresence();
  return bar;
}

export async function setPresence(status) {
  const previous = state.presence;
  state.presence = status;
  emit("presence");
  try {
    if (state.socket && state.socket.connected) {
      await state.socket.request({ type: "presence", status, ref: `p${Date.now()}` });
    } else {
      await put("/presence", { status });
    }
  } catch (failure) {
    state.presence = previous;
    emit("presence");
    toast(t("console.error.generic", { code: failure.code || failure.message }), "error");
  }
}

function userMenu({ onLogout, onLanguage, onHelp }) {
  const me = state.me;
  const button = h(
    "button.user-button",
    { type: "button", "aria-haspopup": "menu", "aria-expanded": "false", id: "user-menu-button", "aria-label": t("console.menu.open") },
    avatar(me.name, me.id, "sm"),
    h("span.user-name", me.name),
    h("span.caret", { "aria-hidden": "true" }),
  );
  const language = h(
    "select",
    { id: "language-select", "aria-label": t("console.menu.language") },
    LANGUAGES.map(([tag, label]) => h("option", { value: tag, selected: tag === state.tr.locale }, label)),
  );
  language.addEventListener("change", () => onLanguage(language.value));
  const notify = h("input", { type: "checkbox", id: "notify-toggle", checked: notificationsEnabled() });
  notify.addEventListener("change", async () => {
    const ok = await setNotifications(notify.checked);
    notify.checked = ok && notify.checked;
  });
  const panel = h(
    "div.menu-panel",
    { role: "menu", hidden: true, id: "user-menu" },
    h("div.menu-head", h("strong", me.name), h("span.muted", me.email), h("span.role-badge", t(`console.role.${me.role}`))),
    h("label.menu-row", { for: "language-select" }, h("span", t("console.menu.language")), language),
    h("label.menu-row", { for: "notify-toggle" }, h("span", t("console.menu.notifications")), notify),
    h("button.menu-item", { type: "button", role: "menuitem", onclick: () => { close(); onHelp(); } }, t("console.menu.shortcuts")),
    h("a.menu-item", { href: "#/canned", role: "menuitem", onclick: () => close() }, t("console.nav.canned")),
    h("button.menu-item.danger", { type: "button", role: "menuitem", id: "logout-button", onclick: () => { close(); onLogout(); } }, t("console.menu.logout")),
  );
  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
  });
  document.addEventListener("click", (event) => {
    if (!panel.contains(event.target)) close();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  return { root: h("div.user-menu", button, panel) };
}

export async function logout() {
  try {
    await post("/auth/logout");
  } catch {
    // The session may already be gone; the login screen is the right place either way.
  }
}
