// Modal dialogs on <dialog>: Escape and the close button dismiss; focus returns afterwards.
import { h } from "./dom.js";
import { t } from "./store.js";

export function openDialog({ title, body, actions = [], className = "", onClose }) {
  const previous = document.activeElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const dialog = h(
    `dialog.dialog${className ? "." + className : ""}`,
    { "aria-labelledby": titleId },
    h(
      "div.dialog-head",
      h("h2", { id: titleId }, title),
      h("button.icon-btn.dialog-close", { type: "button", "aria-label": t("console.dialog.close"), onclick: () => close() }, "×"),
    ),
    h("div.dialog-body", body),
    actions.length ? h("div.dialog-actions", actions) : null,
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (onClose) onClose();
    if (previous && previous.isConnected) previous.focus();
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  function close() {
    if (dialog.open) dialog.close();
  }
  return { dialog, close };
}

export function anyDialogOpen() {
  return Boolean(document.querySelector("dialog[open]"));
}
