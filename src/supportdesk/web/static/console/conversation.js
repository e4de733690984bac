// One open conversation: header, actions, the message history (live), typing and receipts,
// and its composer. Each tab owns one of these, so drafts and scroll survive tab switches.
import { get, post } from "./api.js";
import { renderActions, statusControls } from "./actions.js";
import { Composer } from "./composer.js";
import { h, replace } from "./dom.js";
import { daySeparator, messageElement } from "./messages.js";
import { contactFor, contactName, emit, on, putConversation, setPreview, state, t } from "./store.js";

const PAGE = 100;
const MAX_ID = 2147483647;

export class ConversationView {
  constructor(id) {
    this.id = id;
    this.messages = []; // sorted by id; pending ones (no id) at the end
    this.active = false;
    this.hasOlder = false;
    this.typing = new Map(); // who -> {name, timer}
    this.unsubscribe = [];
    this.build();
  }

  get conversation() {
    return state.conversations.get(this.id);
  }

  build() {
    this.titleEl = h("h2.conv-title");
    this.actionsEl = h("div.actions-bar", { role: "toolbar", "aria-label": t("console.actions.label") });
    this.olderEl = h("button.btn.btn-ghost.btn-sm.load-older", { type: "button", hidden: true, onclick: () => this.loadOlder() }, t("console.message.load_older"));
    this.listEl = h("div.msg-list", { role: "log", "aria-live": "polite", "aria-label": t("console.message.history") });
    this.scrollEl = h("div.msg-scroll", this.olderEl, this.listEl);
    this.typingEl = h("div.typing-line", { "aria-live": "polite" });
    this.composer = new Composer(this);
    this.dropEl = h("div.drop-overlay", { hidden: true }, t("console.composer.drop"));
    this.el = h(
      "section.conv-view",
      { dataset: { conversationId: String(this.id) }, "aria-label": t("console.conversation.label", { id: this.id }) },
      h("div.conv-head", this.titleEl, this.actionsEl),
      this.scrollEl,
      this.typingEl,
      this.composer.el,
      this.dropEl,
    );
    this.bindDrop();
    this.unsubscribe.push(
      on("conversation", ({ conversation }) => {
        if (conversation.id === this.id) this.paintHead();
      }),
      on("contact", (contact) => {
        if (contact.id === this.conversation?.contact_id) {
          this.paintHead();
          this.rerender();
        }
      }),
      on("agents", () => this.paintHead()),
      on("teams", () => this.paintHead()),
    );
  }

  bindDrop() {
    let depth = 0;
    this.el.addEventListener("dragenter", (event) => {
      if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
      depth += 1;
      this.dropEl.hidden = false;
    });
    this.el.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.dropEl.hidden = true;
    });
    this.el.addEventListener("dragover", (event) => event.preventDefault());
    this.el.addEventListener("drop", (event) => {
      event.preventDefault();
      depth = 0;
      this.dropEl.hidden = true;
      if (event.dataTransfer && event.dataTransfer.files.length) this.composer.addFiles(event.dataTransfer.files);
    });
  }

  async load() {
    try {
      const conversation = await get(`/conversations/${this.id}`);
      putConversation(conversation);
      contactFor(conversation.contact_id).catch(() => {});
      const { messages } = await get(`/conversations/${this.id}/messages?before_id=${MAX_ID}&limit=${PAGE}`);
      this.hasOlder = messages.length === PAGE;
      this.messages = [...messages, ...this.messages.filter((m) => m.pending)];
      this.loaded = true;
      this.rerender();
      this.scrollToEnd();
      this.markRead();
      this.composer.paint();
    } catch (failure) {
      replace(this.listEl, h("p.error-state", { role: "alert" },
        failure.status === 404 ? t("console.conversation.not_found", { id: this.id }) : t("console.error.generic", { code: failure.code })));
      this.failed = true;
    }
  }

  /** After a reconnect: fetch what arrived while offline. */
  async catchUp() {
    if (!this.loaded) return this.load();
    const last = this.lastId();
    const { messages } = await get(`/conversations/${this.id}/messages?after_id=${last}&limit=200`);
    for (const message of messages) this.addMessage(message);
    const conversation = await get(`/conversations/${this.id}`);
    putConversation(conversation);
    this.paintReceipt();
  }

  async loadOlder() {
    const first = this.messages.find((m) => m.id);
    if (!first) return;
    const height = this.scrollEl.scrollHeight;
    const { messages } = await get(`/conversations/${this.id}/messages?before_id=${first.id}&limit=${PAGE}`);
    this.hasOlder = messages.length === PAGE;
    this.messages = [...messages, ...this.messages];
    this.rerender();
    this.scrollEl.scrollTop = this.scrollEl.scrollHeight - height;
  }

  lastId() {
    return this.messages.reduce((max, m) => (m.id && m.id > max ? m.id : max), 0);
  }

  paintHead() {
    const c = this.conversation;
    if (!c) return;
    replace(
      this.titleEl,
      h("span.conv-title-name", contactName(c.contact_id)),
      h("span.conv-title-id", `#${c.id}`),
      h(`span.status-pill.status-${c.status}`, { id: `status-${c.id}` }, t(`console.status.${c.status}`)),
      c.subject ? h("span.conv-subject", c.subject) : null,
      h("span.title-actions", statusControls(c)),
    );
    renderActions(this.actionsEl, c);
    this.composer.paint();
  }

  rerender() {
    const nodes = [];
    let day = null;
    for (const message of this.messages) {
      const date = new Date(message.created_at);
      const thisDay = date.toDateString();
      if (thisDay !== day) {
        nodes.push(daySeparator(date));
        day = thisDay;
      }
      nodes.push(messageElement(message, { onRetry: (m) => this.composer.retry(m) }));
    }
    replace(this.listEl, nodes);
    this.olderEl.hidden = !this.hasOlder;
    this.paintReceipt();
  }

  nearBottom() {
    const el = this.scrollEl;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  }

  scrollToEnd() {
    requestAnimationFrame(() => {
      this.scrollEl.scrollTop = this.scrollEl.scrollHeight;
    });
  }

  /** A message from an event, a REST answer or a catch-up; deduplicated by id and client_id. */
  addMessage(message) {
    const stick = this.nearBottom() || message.sender.type === "agent";
    const index = this.messages.findIndex(
      (m) => (m.id && m.id === message.id) || (message.client_id && m.client_id === message.client_id && m.sender.type === message.sender.type),
    );
    if (index >= 0) {
      if (!this.messages[index].pending && this.messages[index].id === message.id) return;
      this.messages[index] = message;
    } else {
      this.messages.push(message);
    }
    this.messages.sort((a, b) => (a.id || Infinity) - (b.id || Infinity));
    this.clearTyping(message.sender.type === "contact" ? "contact" : `agent:${message.sender.agent_id}`);
    this.rerender();
    if (stick) this.scrollToEnd();
    if (message.id) setPreview(message);
    this.markRead();
  }

  onEvent(event, data) {
    if (event === "message.created") {
      this.addMessage(data.message);
      if (!this.active && data.message.sender.type === "contact") emit("tab-unread", this.id);
    } else if (event === "conversation.read") {
      this.paintReceipt();
    }
  }

  paintReceipt() {
    for (const old of this.listEl.querySelectorAll(".seen")) old.remove();
    const c = this.conversation;
    if (!c) return;
    const readUpTo = c.contact_last_read_id || 0;
    const seen = [...this.messages].reverse().find((m) => m.id && !m.internal && m.sender.type !== "contact" && m.sender.type !== "system" && m.id <= readUpTo);
    const last = [...this.messages].reverse().find((m) => m.id && !m.internal && m.sender.type !== "system");
    if (!seen || seen !== last) return;
    const el = this.listEl.querySelector(`[data-id="${seen.id}"] .msg-col`);
    if (el) el.append(h("div.seen", { title: t("console.message.seen_hint") }, "✓✓ ", t("console.message.seen")));
  }

  onTyping(frame) {
    if (frame.who === "agent" && frame.agent_id === state.me.id) return;
    const who = frame.who === "contact" ? "contact" : `agent:${frame.agent_id}`;
    if (frame.state === "stop") return this.clearTyping(who);
    const name = frame.who === "contact" ? contactName(this.conversation?.contact_id) : frame.name || t("console.agent.someone");
    const known = this.typing.get(who);
    if (known) clearTimeout(known.timer);
    this.typing.set(who, { name, agent: frame.who !== "contact", timer: setTimeout(() => this.clearTyping(who), 6000) });
    this.paintTyping();
  }

  clearTyping(who) {
    const known = this.typing.get(who);
    if (!known) return;
    clearTimeout(known.timer);
    this.typing.delete(who);
    this.paintTyping();
  }

  paintTyping() {
    const entries = [...this.typing.values()];
    if (!entries.length) return replace(this.typingEl);
    const text = entries.map((e) => (e.agent ? t("console.typing.agent", { name: e.name }) : t("console.typing.contact", { name: e.name }))).join(" · ");
    replace(this.typingEl, h("span.typing-dots", { "aria-hidden": "true" }, h("i"), h("i"), h("i")), text);
  }

  /** Send a read receipt when the agent can actually see the newest message. */
  markRead() {
    const c = this.conversation;
    if (!c || !this.active || document.visibilityState !== "visible") return;
    const last = this.lastId();
    if (!last || last <= (c.agent_last_read_id || 0)) {
      if (c.unread) putConversation({ ...c, unread: 0 });
      return;
    }
    putConversation({ ...c, agent_last_read_id: last, unread: 0 });
    const socket = state.socket;
    const send = socket && socket.connected
      ? socket.request({ type: "read", conversation_id: this.id, message_id: last, ref: `r${this.id}-${last}` })
      : post(`/conversations/${this.id}/read`, { message_id: last });
    send.catch(() => post(`/conversations/${this.id}/read`, { message_id: last }).catch(() => {}));
    emit("counts-stale");
  }

  activate() {
    this.active = true;
    this.el.hidden = false;
    if (!this.loaded && !this.loading) {
      this.loading = true;
      this.paintHead();
      this.load();
    } else {
      this.markRead();
    }
  }

  deactivate() {
    this.active = false;
    this.el.hidden = true;
  }

  destroy() {
    this.composer.destroy();
    for (const off of this.unsubscribe) off();
    this.el.remove();
  }
}
