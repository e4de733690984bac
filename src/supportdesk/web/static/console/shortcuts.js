// Keyboard shortcuts and the "?" help dialog.
import { anyDialogOpen, openDialog } from "./dialog.js";
import { h, isTyping } from "./dom.js";
import { focusSearch, hasSelection, moveSelection, openSelected } from "./inbox.js";
import { updateConversation } from "./actions.js";
import { activeView, closeTab, switchToIndex } from "./tabs.js";
import { ACTIVE, state, t } from "./store.js";

export const SHORTCUTS = [
  ["j / k", "console.shortcuts.next_prev"],
  ["Enter", "console.shortcuts.open"],
  ["r", "console.shortcuts.reply"],
  ["n", "console.shortcuts.note"],
  ["e", "console.shortcuts.resolve"],
  ["a", "console.shortcuts.assign_me"],
  ["/", "console.shortcuts.search"],
  ["g i", "console.shortcuts.go_mine"],
  ["g u", "console.shortcuts.go_unassigned"],
  ["g a", "console.shortcuts.go_all"],
  ["g c", "console.shortcuts.go_canned"],
  ["Ctrl/Alt + 1…9", "console.shortcuts.tabs"],
  ["x", "console.shortcuts.close_tab"],
  ["Enter", "console.shortcuts.send"],
  ["Shift + Enter", "console.shortcuts.newline"],
  ["/…", "console.shortcuts.canned"],
  ["Esc", "console.shortcuts.escape"],
  ["?", "console.shortcuts.help"],
];

let pendingG = 0;

const FULL_PAGE_VIEWS = ["canned", "help", "hours"];

function onFullPageView() {
  const page = location.hash.replace(/^#\/?/, "").split("/")[0];
  return FULL_PAGE_VIEWS.includes(page);
}

function keyCombo(keys) {
  const parts = keys.split(" ");
  return parts.map((k) => (parts.length > 1 && ["+", "/"].includes(k) ? ` ${k} ` : h("kbd", k)));
}

export function showHelp() {
  if (document.getElementById("shortcuts-dialog")) return;
  const { dialog } = openDialog({
    title: t("console.shortcuts.title"),
    className: "shortcuts",
    body: h("dl.shortcut-list", SHORTCUTS.map(([keys, label]) => h("div.shortcut-row",
      h("dt", keyCombo(keys)),
      h("dd", t(label))))),
  });
  dialog.id = "shortcuts-dialog";
}

export function installShortcuts() {
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.altKey) && !event.shiftKey && /^[1-9]$/.test(event.key)) {
      event.preventDefault();
      switchToIndex(Number(event.key) - 1);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || anyDialogOpen()) return;
    // The one-key inbox shortcuts (e: resolve, a: assign…) would act on the conversation tab
    // hidden behind a full-page view, so there only "?" and "g …" navigation work.
    if (onFullPageView() && event.key !== "?" && event.key !== "g" && !pendingG) return;
    const key = event.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      const target = { i: "#/inbox/mine", u: "#/inbox/unassigned", a: "#/inbox/all", c: "#/canned" }[key];
      if (target) {
        event.preventDefault();
        location.hash = target;
      }
      return;
    }
    pendingG = 0;
    const view = activeView();
    const c = view && state.conversations.get(view.id);
    const act = {
      "?": () => showHelp(),
      "/": () => focusSearch(),
      j: () => moveSelection(1),
      k: () => moveSelection(-1),
      Enter: () => (hasSelection() ? openSelected() : null),
      g: () => { pendingG = Date.now(); },
      r: () => view && view.composer.focus("reply"),
      n: () => view && view.composer.focus("note"),
      e: () => c && ACTIVE.has(c.status) && updateConversation(c.id, { status: "resolved" }),
      a: () => c && c.assignee_id !== state.me.id && updateConversation(c.id, { assignee_id: state.me.id }),
      x: () => view && closeTab(view.id),
    }[key];
    if (act) {
      event.preventDefault();
      act();
    }
  });
}
