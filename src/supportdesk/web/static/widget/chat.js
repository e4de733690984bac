// The message log of the open conversation.
//
// Rendering is keyed: a message keeps one DOM node from "sending" to "sent" to "read"
// (its key is its client_id when it has one), so the role="log" live region announces
// each message once, and a message is never shown twice, whichever of the ack, the
// message.created event or a REST reload brings it first.

import { renderMarkdown } from "/static/shared/markdown.js";
import { el, svgIcon, ICONS } from "./dom.js";

const STATUSES = new Set(["bot", "queued", "open", "pending", "resolved", "closed"]);

export function messageKey(message) {
  const type = message.sender ? message.sender.type : "contact";
  return message.client_id ? `${type}:c:${message.client_id}` : `${type}:i:${message.id}`;
}

export class ChatLog {
  constructor(ctx, log) {
    this.ctx = ctx;
    this.log = log;
    this.nodes = new Map(); // key -> {node, signature}
  }

  // Forget every node (the language changed, or another conversation opens).
  reset() {
    this.nodes.clear();
    this.log.replaceChildren();
  }

  render(items) {
    const wanted = new Set();
    let cursor = this.log.firstChild;
    for (const item of items) {
      wanted.add(item.key);
      const node = this.nodeFor(item);
      if (node === cursor) cursor = cursor.nextSibling;
      else this.log.insertBefore(node, cursor);
    }
    for (const [key, entry] of this.nodes) {
      if (!wanted.has(key)) {
        entry.node.remove();
        this.nodes.delete(key);
      }
    }
  }

  nodeFor(item) {
    const signature = JSON.stringify(item.signature);
    let entry = this.nodes.get(item.key);
    if (entry && entry.signature === signature) return entry.node;
    if (entry && entry.update && entry.first === item.first) {
      entry.update(item);
      entry.signature = signature;
      return entry.node;
    }
    const built = this.build(item);
    if (entry) entry.node.replaceWith(built.node);
    entry = { node: built.node, update: built.update, signature, first: item.first };
    this.nodes.set(item.key, entry);
    return entry.node;
  }

  build(item) {
    if (item.kind === "day") {
      return { node: el("div", { className: "day", role: "separator", text: item.label }) };
    }
    if (item.kind === "system") {
      return { node: el("div", { className: "system-msg", text: this.systemText(item.message) }) };
    }
    return this.buildMessage(item);
  }

  // System notes carry what happened as data (message.system); the English body is only
  // the fallback for a kind this widget does not know yet.
  systemText(message) {
    const data = message.system || {};
    if (data.kind === "status" && STATUSES.has(data.status)) {
      return this.ctx.tr.t(`widget.status_note.${data.status}`);
    }
    return message.body;
  }

  buildMessage(item) {
    const { message } = item;
    const own = message.sender.type === "contact";
    const row = el("div", { className: `msg-row ${own ? "own" : "agent"}` });
    if (item.first) row.classList.add("first");
    const body = el("div", { className: "msg-body" });
    if (!own) {
      row.append(this.avatar(message.sender, item.first));
      if (item.first) body.append(el("div", { className: "sender", text: this.senderName(message) }));
    }
    // A screen reader hears who wrote each message; the bubble alone does not say it.
    const who = el("span", { className: "visually-hidden", text: own ? this.ctx.tr.t("widget.you_said") : `${this.senderName(message)}:` });
    const botAnswer = message.system && message.system.kind === "bot_answer" && message.system.answer;
    if (botAnswer) {
      const bubble = el("div", { className: "bubble bot-card" });
      bubble.append(who, this.botCard(message));
      body.append(bubble);
    } else if (message.body) {
      const bubble = el("div", { className: "bubble" });
      bubble.append(who, renderMarkdown(message.body));
      body.append(bubble);
    } else {
      body.append(who);
    }
    if (message.attachments && message.attachments.length) {
      body.append(this.ctx.files.render(message.attachments));
    }
    const meta = el("div", { className: "meta" });
    body.append(meta);
    row.append(body);
    const update = (next) => this.fillMeta(meta, row, next);
    update(item);
    return { node: row, update };
  }

  fillMeta(meta, row, item) {
    const { tr } = this.ctx;
    const { message, status } = item;
    row.classList.toggle("pending", status === "sending");
    row.classList.toggle("failed", status === "failed");
    const parts = [el("time", { dateTime: message.created_at, text: tr.time(message.created_at) })];
    if (status === "sending") parts.push(el("span", { className: "status", text: tr.t("widget.sending") }));
    else if (status === "failed") {
      parts.push(el("span", { className: "status error", text: tr.t(item.errorKey || "widget.failed") }));
      const retry = el("button", { type: "button", className: "link-btn retry", text: tr.t("widget.retry") });
      retry.addEventListener("click", () => this.ctx.retry(message.client_id));
      parts.push(retry);
    } else if (status === "read") parts.push(el("span", { className: "status read", text: tr.t("widget.read") }));
    else if (status === "sent") parts.push(el("span", { className: "status", text: tr.t("widget.sent") }));
    const separated = [];
    parts.forEach((part, index) => {
      if (index) separated.push(el("span", { className: "sep", text: "·", ariaHidden: "true" }));
      separated.push(part);
    });
    meta.replaceChildren(...separated);
  }

  // The bot's answer as the visitor should see it: the article, up to two others, and the
  // two ways out ("This solved it" / "Talk to a person"), shown while the bot has the chat.
  botCard(message) {
    const { tr } = this.ctx;
    const data = message.system;
    const card = el("div", { className: "bot-answer" });
    card.append(el("p", { text: tr.t("widget.bot_found") }));
    const link = (hit, className) => {
      const a = el("a", { className, text: hit.title });
      a.href = new URL(hit.url, location.origin).href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    };
    card.append(link(data.answer, "bot-article"));
    const others = (data.suggestions || []).filter((s) => s.key !== data.answer.key).slice(0, 2);
    if (others.length) {
      card.append(el("p", { className: "bot-also", text: tr.t("widget.bot_also") }));
      const list = el("ul", { className: "bot-others" });
      for (const hit of others) {
        const item = el("li");
        item.append(link(hit, ""));
        list.append(item);
      }
      card.append(list);
    }
    const actions = el("div", { className: "bot-actions" });
    const solved = el("button", { type: "button", className: "btn-secondary", text: tr.t("widget.solved") });
    const human = el("button", { type: "button", className: "btn-secondary", text: tr.t("widget.talk_to_person") });
    solved.addEventListener("click", () => this.ctx.botChoice(message.conversation_id, "solved"));
    human.addEventListener("click", () => this.ctx.botChoice(message.conversation_id, "human"));
    actions.append(solved, human);
    card.append(actions);
    return card;
  }

  senderName(message) {
    const { tr } = this.ctx;
    if (message.sender.type === "bot") return message.sender.name || tr.t("widget.bot_name");
    return message.sender.name || tr.t("widget.team_name");
  }

  avatar(sender, visible) {
    const name = this.senderName({ sender });
    const avatar = el("span", { className: "avatar", ariaHidden: "true" });
    if (!visible) avatar.classList.add("spacer");
    else if (sender.type === "bot") avatar.append(svgIcon(ICONS.bot));
    else {
      avatar.textContent = initials(name);
      avatar.dataset.hue = String(hue(sender.agent_id || 0));
    }
    return avatar;
  }
}

// Items for the log: day separators, system notes and messages, with the status of the
// visitor's own messages ("read" only under the newest one the desk has read).
export function logItems(ctx, messages, pending, conversation) {
  const { tr } = ctx;
  const items = [];
  let lastDay = null;
  let previous = null;
  const agentRead = conversation ? conversation.agent_last_read_id || 0 : 0;
  let lastOwnId = 0;
  for (const message of messages) {
    if (message.sender.type === "contact" && message.id > lastOwnId) lastOwnId = message.id;
  }
  const all = [
    ...messages.map((message) => ({ message, status: "stored" })),
    ...pending.map((p) => ({ message: p.message, status: p.status, errorKey: p.errorKey })),
  ];
  for (const { message, status, errorKey } of all) {
    const day = tr.day(message.created_at);
    if (day !== lastDay) {
      items.push({ key: `day:${day}`, kind: "day", label: day, signature: [day] });
      lastDay = day;
      previous = null;
    }
    if (message.sender.type === "system") {
      items.push({ key: `system:${message.id}`, kind: "system", message, signature: [tr.locale] });
      previous = null;
      continue;
    }
    let shown = status;
    if (status === "stored") {
      shown = null;
      if (message.sender.type === "contact" && message.id === lastOwnId) {
        shown = agentRead >= message.id ? "read" : "sent";
      }
    }
    const senderKey = `${message.sender.type}:${message.sender.agent_id || ""}`;
    const first = !previous || previous !== senderKey;
    previous = senderKey;
    items.push({
      key: messageKey(message),
      kind: "message",
      message,
      status: shown,
      errorKey,
      first,
      signature: [shown, errorKey || "", first, tr.locale, message.id || 0],
    });
  }
  return items;
}

function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]];
  return letters.map((word) => Array.from(word)[0].toLocaleUpperCase()).join("");
}

function hue(id) {
  return (id * 47) % 6;
}
