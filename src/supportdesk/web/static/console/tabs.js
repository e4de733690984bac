// Several conversations open at once: a tab strip above the conversation area. Each tab
// keeps its ConversationView (draft, scroll, mode) alive while in the background.
import { ConversationView } from "./conversation.js";
import { h, replace } from "./dom.js";
import { contactName, emit, on, state, t } from "./store.js";

const MAX_TABS = 9;
const KEY = "sd.console.tabs";
const tabs = []; // [{id, view, unread}]
let stripEl, bodyEl, emptyEl;

export function renderTabs() {
  stripEl = h("div.tab-strip", { role: "tablist", "aria-label": t("console.tabs.label"), id: "tabs" });
  emptyEl = h("div.conv-empty", h("div.empty-illustration", { "aria-hidden": "true" }), h("h2", t("console.conversation.empty_title")), h("p.muted", t("console.conversation.empty_text")));
  bodyEl = h("div.tab-body", emptyEl);
  on("conversation", ({ conversation }) => {
    if (tabs.some((tab) => tab.id === conversation.id)) paintStrip();
  });
  on("contact", () => paintStrip());
  on("tab-unread", (id) => {
    const tab = tabs.find((x) => x.id === id);
    if (tab && id !== state.activeConversation) {
      tab.unread = true;
      paintStrip();
    }
  });
  return h("div.conv-pane", stripEl, bodyEl);
}

export function openTab(id) {
  let tab = tabs.find((x) => x.id === id);
  if (!tab) {
    if (tabs.length >= MAX_TABS) {
      const victim = tabs.find((x) => x.id !== state.activeConversation);
      if (victim) closeTab(victim.id, { silent: true });
    }
    tab = { id, view: new ConversationView(id), unread: false };
    tabs.push(tab);
    bodyEl.append(tab.view.el);
  }
  activate(id);
}

function activate(id) {
  state.activeConversation = id;
  for (const tab of tabs) {
    if (tab.id === id) {
      tab.unread = false;
      tab.view.activate();
    } else {
      tab.view.deactivate();
    }
  }
  emptyEl.hidden = tabs.length > 0;
  paintStrip();
  save();
  emit("tab", id);
}

export function closeTab(id, { silent = false } = {}) {
  const index = tabs.findIndex((x) => x.id === id);
  if (index < 0) return;
  const [tab] = tabs.splice(index, 1);
  tab.view.destroy();
  if (silent) return;
  if (state.activeConversation === id) {
    const next = tabs[Math.min(index, tabs.length - 1)];
    if (next) {
      location.hash = `#/c/${next.id}`;
    } else {
      state.activeConversation = null;
      emptyEl.hidden = false;
      emit("tab", null);
      history.replaceState(null, "", state.lastInboxHash || "#/inbox/mine");
    }
  }
  paintStrip();
  save();
}

export function switchToIndex(index) {
  const tab = tabs[index];
  if (tab) location.hash = `#/c/${tab.id}`;
}

export function activeView() {
  return tabs.find((x) => x.id === state.activeConversation)?.view || null;
}

export function allViews() {
  return tabs.map((x) => x.view);
}

export function viewFor(id) {
  return tabs.find((x) => x.id === id)?.view || null;
}

export function savedTabs() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "[]").filter(Number.isInteger);
  } catch {
    return [];
  }
}

export function restoreTabs(ids) {
  for (const id of ids) {
    if (tabs.some((x) => x.id === id)) continue;
    const tab = { id, view: new ConversationView(id), unread: false };
    tab.view.deactivate();
    tabs.push(tab);
    bodyEl.append(tab.view.el);
  }
  paintStrip();
}

function save() {
  sessionStorage.setItem(KEY, JSON.stringify(tabs.map((x) => x.id)));
}

function paintStrip() {
  stripEl.hidden = tabs.length === 0;
  replace(
    stripEl,
    tabs.map((tab, index) => {
      const c = state.conversations.get(tab.id);
      const active = tab.id === state.activeConversation;
      const label = c ? contactName(c.contact_id) : `#${tab.id}`;
      return h(
        "div.tab",
        { class: [active ? "active" : "", tab.unread ? "has-unread" : ""].join(" ").trim(), dataset: { id: String(tab.id) } },
        h("a.tab-link", {
          href: `#/c/${tab.id}`, role: "tab", "aria-selected": String(active),
          title: index < 9 ? t("console.tabs.switch_hint", { n: index + 1 }) : null,
        },
        tab.unread ? h("span.tab-dot", { "aria-label": t("console.tabs.unread") }) : null,
        h("span.tab-label", label), h("span.tab-id", `#${tab.id}`)),
        h("button.tab-close", { type: "button", "aria-label": t("console.tabs.close", { name: label }), onclick: () => closeTab(tab.id) }, "×"),
      );
    }),
  );
}
