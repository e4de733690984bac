// Messages the visitor wrote that the server has not acknowledged yet.
//
// Each keeps the client_id it got when it was written, in local storage too, so a message
// sent just before a reload or a network cut is sent again with the same id and stored
// once (docs/realtime.md, "Idempotent sends"). They go one at a time, oldest first: the
// first message of a new conversation must be acknowledged, and the conversation known,
// before the next one can name it.

import { uuid } from "./dom.js";

const ACK_TIMEOUT_MS = 15000;
const FAILURE_KEYS = {
  too_long: "widget.failed_too_long",
  conversation_closed: "widget.failed_closed",
  rate_limited: "widget.rate_limited",
};

export class Outbox {
  constructor(app) {
    this.app = app;
    this.items = []; // {message, status: "sending" | "failed", errorKey}
    this.busy = false;
  }

  // Stored messages come first; any written before the session was ready follow them.
  restore(messages) {
    const stored = (messages || []).map((message) => ({ message, status: "sending" }));
    const known = new Set(stored.map((item) => item.message.client_id));
    this.items = [...stored, ...this.items.filter((item) => !known.has(item.message.client_id))];
    this.save();
  }

  save() {
    this.app.save("pending", this.items.map((item) => item.message));
  }

  inConversation(id) {
    return this.items.filter((item) => item.message.conversation_id === id);
  }

  // A stored message (from an ack, an event or a reload) replaces its pending copy.
  settle(message) {
    if (!message.client_id || message.sender.type !== "contact") return;
    const before = this.items.length;
    this.items = this.items.filter((item) => item.message.client_id !== message.client_id);
    if (this.items.length !== before) this.save();
  }

  startsConversation(message) {
    return this.items.some(
      (item) => item.message.conversation_id === null && item.message.client_id === message.client_id,
    );
  }

  // The conversation now exists: messages written before it did join it.
  adopt(conversationId) {
    for (const item of this.items) {
      if (item.message.conversation_id === null) item.message.conversation_id = conversationId;
    }
    this.save();
  }

  add(body, attachments, conversationId) {
    const message = {
      client_id: uuid(),
      conversation_id: conversationId,
      body,
      attachments,
      sender: { type: "contact", agent_id: null, name: "" },
      created_at: new Date().toISOString(),
    };
    this.items.push({ message, status: "sending" });
    this.save();
    return this.flush();
  }

  retry(clientId) {
    const item = this.items.find((candidate) => candidate.message.client_id === clientId);
    if (!item) return;
    item.status = "sending";
    item.errorKey = null;
    this.app.render();
    const { socket } = this.app;
    if (!socket) return;
    if (socket.connected) this.flush();
    else socket.reconnectNow();
  }

  async flush() {
    const { socket } = this.app;
    if (this.busy || !socket || !socket.connected) return;
    this.busy = true;
    try {
      // Messages written while this runs join the loop: it ends when none is waiting.
      for (;;) {
        const item = this.items.find((candidate) => candidate.status === "sending");
        if (!item || !(await this.deliver(item))) break;
      }
    } finally {
      this.busy = false;
      this.app.render();
    }
  }

  // True when the next message may go; false to stop until the connection is back.
  async deliver(item) {
    const { message } = item;
    const frame = { type: "send", client_id: message.client_id, body: message.body };
    if (message.conversation_id) frame.conversation_id = message.conversation_id;
    if (message.attachments.length) frame.attachment_ids = message.attachments.map((a) => a.id);
    try {
      const ack = await this.app.socket.request(frame, ACK_TIMEOUT_MS);
      this.app.acknowledged(message, ack.message);
      return true;
    } catch (error) {
      if (error.code === "offline") return false; // sent again after the next welcome
      item.status = "failed";
      item.errorKey = FAILURE_KEYS[error.code] || "widget.failed";
      this.app.render();
      return error.code !== "timeout";
    }
  }
}
