// Rendering of one conversation's messages: bubbles, notes, system lines, attachments,
// day separators and the "Seen" receipt. User text goes through renderMarkdown only.
import { renderMarkdown } from "../shared/markdown.js";
import { openDialog } from "./dialog.js";
import { avatar, formatBytes, h } from "./dom.js";
import { senderName, state, t } from "./store.js";

// System notes carry what happened as data; the English body is the fallback for a kind
// this console does not know yet.
export function systemText(message) {
  const data = message.system || {};
  if (data.kind === "status" && data.status) {
    return t("console.system.status", { actor: data.actor, status: t(`console.status.${data.status}`) });
  }
  if (data.kind === "assignment") {
    const target = data.agent || t("console.system.nobody");
    const key = data.team ? "console.system.assigned_team" : "console.system.assigned";
    const text = t(key, { actor: data.actor, agent: target, team: data.team || "" });
    return data.note ? t("console.system.with_note", { text, note: data.note }) : text;
  }
  return message.body;
}

export function messageElement(message, { onRetry } = {}) {
  const type = message.sender.type;
  const created = new Date(message.created_at);
  const time = h("time", { datetime: message.created_at, title: state.tr.dateTime(created) }, state.tr.time(created));
  if (type === "system") {
    return h("div.msg.msg-system", { dataset: key(message), role: "note" }, h("span.msg-system-text", systemText(message)), time);
  }
  const mine = type === "agent" && message.sender.agent_id === state.me.id;
  const side = type === "contact" ? "in" : "out";
  const classes = [`msg`, `msg-${side}`, `msg-from-${type}`];
  if (message.internal) classes.push("msg-note");
  if (message.pending) classes.push(`msg-${message.pending}`);
  const name = senderName(message);
  const status = statusLine(message, onRetry);
  return h(
    `div.${classes.join(".")}`,
    { dataset: key(message) },
    side === "in" ? avatar(name, message.conversation_id) : null,
    h(
      "div.msg-col",
      h(
        "div.msg-meta",
        message.internal ? h("span.note-label", t("console.message.internal_note")) : null,
        h("span.msg-author", mine && !message.internal ? t("console.message.you") : name),
        time,
      ),
      h(
        "div.msg-bubble",
        message.body ? h("div.msg-body", renderMarkdown(message.body)) : null,
        message.attachments && message.attachments.length ? attachments(message.attachments) : null,
      ),
      status,
    ),
  );
}

function key(message) {
  const data = {};
  if (message.id) data.id = String(message.id);
  if (message.client_id) data.clientId = message.client_id;
  return data;
}

function statusLine(message, onRetry) {
  if (message.pending === "sending") return h("div.msg-status", t("console.message.sending"));
  if (message.pending === "failed") {
    return h(
      "div.msg-status.msg-status-failed",
      { role: "alert" },
      t("console.message.failed", { reason: message.error || "" }),
      " ",
      h("button.link-btn", { type: "button", onclick: () => onRetry && onRetry(message) }, t("console.message.retry")),
    );
  }
  return null;
}

function attachments(list) {
  return h(
    "div.attachments",
    list.map((file) => {
      if (file.content_type.startsWith("image/")) {
        const img = h("img", { src: file.url, alt: file.filename, loading: "lazy" });
        if (file.width && file.height) {
          img.width = Math.min(260, file.width);
          img.height = Math.round((img.width / file.width) * file.height);
        }
        return h(
          "button.attachment-image",
          { type: "button", title: t("console.message.enlarge", { name: file.filename }), onclick: () => enlarge(file) },
          img,
        );
      }
      return h(
        "a.attachment-file",
        { href: file.url, target: "_blank", rel: "noopener noreferrer" },
        h("span.file-icon", { "aria-hidden": "true" }),
        h("span.file-name", file.filename),
        h("span.file-size", formatBytes(file.size)),
      );
    }),
  );
}

function enlarge(file) {
  openDialog({
    title: file.filename,
    className: "lightbox",
    body: [
      h("img.lightbox-img", { src: file.url, alt: file.filename }),
      h("a.btn.btn-ghost.btn-sm", { href: file.url, target: "_blank", rel: "noopener noreferrer" }, t("console.message.open_original")),
    ],
  });
}

export function daySeparator(date) {
  return h("div.day-sep", { role: "separator" }, h("span", state.tr.day(date)));
}
