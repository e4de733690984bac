// Entry point: language, session, layout and the hash router.
import { loadTranslator } from "../shared/i18n.js";
import { get, setCsrf, setUnauthorizedHandler } from "./api.js";
import { renderCannedPage } from "./canned.js";
import { renderContactPanel } from "./contact.js";
import { h, replace } from "./dom.js";
import { logout, renderHeader } from "./header.js";
import { helpAllowsLeaving, renderHelpPage } from "./help.js";
import { renderHoursPage } from "./hours.js";
import { renderList, renderSidebar, setView, viewFromRoute } from "./inbox.js";
import { startSocket } from "./live.js";
import { renderLogin } from "./login.js";
import { installShortcuts, showHelp } from "./shortcuts.js";
import { emit, state } from "./store.js";
import { openTab, renderTabs, restoreTabs, savedTabs } from "./tabs.js";

const LOCALE_KEY = "sd.console.locale";
const root = document.getElementById("app");
let mainEl = null;
let workEl = null;
let cannedEl = null;
let helpEl = null;
let hoursEl = null;

async function useLocale(locale) {
  state.tr = await loadTranslator(locale);
  document.documentElement.lang = state.tr.locale;
  document.title = state.tr.t("console.title");
}

async function boot() {
  await useLocale(localStorage.getItem(LOCALE_KEY) || navigator.language || "en");
  setUnauthorizedHandler(() => sessionEnded());
  let me = null;
  try {
    me = await get("/auth/me", { quiet401: true });
  } catch (failure) {
    if (failure.status !== 401) console.warn("auth/me failed", failure);
  }
  if (me && me.agent) await start(me);
  else showLogin();
}

function showLogin() {
  document.body.className = "page-login";
  renderLogin(root, async () => {
    // A fresh document starts the app from a clean state (no listeners of a previous session).
    sessionStorage.removeItem("sd.console.tabs");
    location.reload();
  });
}

let ended = false;
function sessionEnded() {
  if (ended) return;
  ended = true;
  if (state.socket) state.socket.close();
  location.reload();
}

async function start(me) {
  state.me = me.agent;
  setCsrf(me.csrf_token);
  const wanted = localStorage.getItem(LOCALE_KEY) || me.agent.locale;
  if (wanted && wanted !== state.tr.locale) await useLocale(wanted);
  document.body.className = "page-app";
  const header = renderHeader({
    onLogout: async () => {
      await logout();
      sessionStorage.removeItem("sd.console.tabs");
      ended = true;
      state.socket?.close();
      location.hash = "";
      location.reload();
    },
    onLanguage: (locale) => {
      localStorage.setItem(LOCALE_KEY, locale);
      location.reload();
    },
    onHelp: showHelp,
  });
  workEl = h("div.workspace", renderTabs(), renderContactPanel());
  cannedEl = h("div.canned-host", { hidden: true });
  helpEl = h("div.help-host", { hidden: true });
  hoursEl = h("div.hours-host", { hidden: true });
  mainEl = h("div.layout", renderSidebar(), renderList(), h("main.main-pane", workEl, cannedEl, helpEl, hoursEl));
  replace(root, header, mainEl);
  installShortcuts();
  restoreTabs(savedTabs());
  window.addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") import("./tabs.js").then((m) => m.activeView()?.markRead());
  });
  route();
  startSocket({
    onFatal: () => sessionEnded(),
  });
}

function route() {
  const hash = location.hash || "#/inbox/mine";
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [page, ...rest] = parts;
  // Unsaved edits in the help-center editor: the guard asks, and may keep us there.
  if (!helpAllowsLeaving(hash)) return;
  helpEl.hidden = page !== "help";
  hoursEl.hidden = page !== "hours";
  mainEl.classList.toggle("on-help", page === "help");
  mainEl.classList.toggle("on-hours", page === "hours");
  if (page === "help" || page === "hours") {
    workEl.hidden = true;
    cannedEl.hidden = true;
    mainEl.classList.remove("on-canned");
    if (page === "help") renderHelpPage(helpEl, rest);
    else renderHoursPage(hoursEl, rest);
    emit("route", { page });
    return;
  }
  if (page === "canned") {
    workEl.hidden = true;
    cannedEl.hidden = false;
    mainEl.classList.add("on-canned");
    renderCannedPage(cannedEl);
    emit("route", { page: "canned" });
    return;
  }
  workEl.hidden = false;
  cannedEl.hidden = true;
  mainEl.classList.remove("on-canned");
  if (page === "c" && /^\d+$/.test(rest[0] || "")) {
    openTab(Number(rest[0]));
    if (!state.listLoaded) {
      state.listLoaded = true;
      setView(viewFromRoute((state.lastInboxHash || "#/inbox/mine").replace(/^#\/inbox\//, "").split("/")));
    }
  } else {
    state.lastInboxHash = hash.startsWith("#/inbox/") ? hash : "#/inbox/mine";
    state.listLoaded = true;
    setView(viewFromRoute(page === "inbox" ? rest : []));
  }
  emit("route", { page: "inbox" });
}

boot();
