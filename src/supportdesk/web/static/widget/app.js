// The chat panel: runs in the iframe on the desk's origin (docs/widget.md).
//
// State comes from two places that may overlap: REST loads (on start, after a resync)
// and the event stream (docs/realtime.md). Both are applied idempotently, by message id
// and by client_id, so the order in which they arrive never shows a message twice.

import { EventSocket } from "/static/shared/socket.js";
import { loadTranslator, browserTimeZone } from "/static/shared/i18n.js";
import { VisitorApi } from "./api.js";
import { ChatLog, logItems } from "./chat.js";
import { Composer } from "./composer.js";
import { Files } from "./files.js";
import { Panel, pickLocale } from "./panel.js";
import { Outbox } from "./outbox.js";
import { connectHost } from "./host.js";
import * as store from "./store.js";

const TYPING_CLEAR_MS = 6000;
const STATUS_REFRESH_MS = 60000;

class WidgetApp {
  constructor(host) {
    this.host = host;
    this.api = new VisitorApi();
    this.config = host.config;
    this.tr = null;
    this.contact = null;
    this.conversations = new Map();
    this.messages = new Map(); // conversation id -> Map(message id -> message)
    this.outbox = new Outbox(this);
    this.current = null; // conversation id, or null for a new conversation
    this.view = "chat";
    this.open = host.standalone || !!this.config.open;
    this.typingAgent = null;
    this.unread = new Map(); // conversation id -> count of unseen desk messages
    this.socket = null;
    this.availability = null;
    this.queues = new Map(); // conversation id -> its place in the queue (queue.updated)
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  async start() {
    this.tr = await loadTranslator(pickLocale(this.config));
    this.files = new Files(this);
    this.log = new ChatLog(this, document.getElementById("log"));
    this.composer = new Composer(this);
    this.panel = new Panel(this);
    this.panel.applyLanguage();
    this.panel.showChat();
    document.getElementById("panel").removeAttribute("aria-busy");
    document.addEventListener("visibilitychange", () => this.markSeen());
    setInterval(() => this.open && this.refreshStatus(), STATUS_REFRESH_MS);
    // A visitor who never opens the chat costs nothing: no contact is created until the
    // panel is first opened, unless one exists from an earlier visit (for unread badges).
    if (!store.load("token") && !this.open) {
      await new Promise((resolve) => {
        this.firstOpen = resolve;
      });
    }
    if (this.open) this.refreshStatus();
    await this.openSessionWithRetry();
    this.restoreLocalState();
    this.markReady();
    this.render();
    const cursor = this.load("cursor");
    let loaded = false;
    if (Number.isInteger(cursor)) {
      loaded = await this.reload().then(
        () => true,
        () => false,
      );
    }
    this.startSocket(loaded ? cursor : null);
  }

  // --- session -------------------------------------------------------------------------

  // The network or the desk may be down when the page loads: keep trying with backoff
  // (1 s, 2 s, 4 s … 30 s) and say so, rather than leave a dead panel. Only an answer that
  // will not change by retrying (a 4xx other than 429) gives up.
  async openSessionWithRetry() {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.openSession();
        if (attempt) this.panel.setConnection("connecting");
        return;
      } catch (error) {
        const lasting = error.status >= 400 && error.status < 500 && error.status !== 429;
        if (lasting) throw error;
        this.panel.setConnection("offline");
        const delay = Math.min(30, 2 ** attempt) * (0.75 + Math.random() * 0.5) * 1000;
        await new Promise((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            window.removeEventListener("online", wake);
            resolve();
          };
          const timer = setTimeout(wake, delay);
          window.addEventListener("online", wake);
        });
      }
    }
  }

  async openSession() {
    const body = { locale: this.tr.locale, timezone: browserTimeZone() };
    const token = store.load("token");
    if (token) body.visitor_token = token;
    if (this.config.user_id) {
      body.user_id = this.config.user_id;
      body.user_hash = this.config.user_hash;
    }
    if (this.config.name) body.name = this.config.name;
    if (this.config.email) body.email = this.config.email;
    let session;
    try {
      session = await this.api.session(body);
    } catch (error) {
      if (!["identity_invalid", "identity_not_configured", "invalid"].includes(error.code)) throw error;
      // A misconfigured host page must not leave its visitors without a chat.
      console.warn("Supportdesk: identity or profile refused, continuing anonymously:", error.message);
      delete body.user_id;
      delete body.user_hash;
      delete body.email;
      delete body.name;
      session = await this.api.session(body);
    }
    this.api.token = session.visitor_token;
    this.contact = session.contact;
    store.save("token", session.visitor_token);
  }

  // The token was refused (expired, or signed with a rotated key): start over as new.
  restartSession() {
    store.save("token", null);
    if (sessionStorage.getItem("supportdesk:restarted")) return;
    sessionStorage.setItem("supportdesk:restarted", "1");
    location.reload();
  }

  load(name, fallback = null) {
    if (!this.contact) return fallback;
    return store.load(store.contactKey(this.contact.id, name), fallback);
  }

  save(name, value) {
    if (!this.contact) return;
    store.save(store.contactKey(this.contact.id, name), value);
  }

  restoreLocalState() {
    const current = this.load("current");
    this.current = Number.isInteger(current) ? current : null;
    this.outbox.restore(this.load("pending", []));
    const draft = this.load(`draft:${this.current || "new"}`, "");
    if (draft && !this.composer.input.value) this.composer.setText(draft);
  }

  saveDraft(text) {
    this.save(`draft:${this.current || "new"}`, text);
  }

  // --- loading -------------------------------------------------------------------------

  async reload(reason) {
    try {
      const list = await this.api.conversations();
      if (reason === "resync") this.messages.clear();
      // Merge, not replace: a conversation started while the list was on its way (the
      // first message's ack can overtake this load) must not vanish.
      for (const conversation of list) this.upsertConversation(conversation);
      if (this.current !== null && !this.conversations.has(this.current)) {
        try {
          this.upsertConversation(await this.api.conversation(this.current));
        } catch (error) {
          if (error.status !== 404) throw error;
          this.setCurrent(null);
        }
      }
      if (this.current !== null) {
        await this.loadMessages(this.current);
        this.countUnseen(this.current);
      }
      this.render();
      this.outbox.flush();
    } catch (error) {
      if (error.status === 401) this.restartSession();
      throw error;
    }
  }

  async loadMessages(id) {
    const messages = await this.api.latestMessages(id);
    const known = this.messages.get(id) || new Map();
    for (const message of messages) known.set(message.id, message);
    this.messages.set(id, known);
    for (const message of messages) this.outbox.settle(message);
  }

  // Replies that came while the visitor was away put a count on the launcher.
  countUnseen(id) {
    const conversation = this.conversations.get(id);
    if (!conversation || this.seeing(id)) return;
    const read = conversation.contact_last_read_id || 0;
    const unseen = this.currentMessages().filter(
      (m) => (m.sender.type === "agent" || m.sender.type === "bot") && m.id > read,
    ).length;
    if (unseen) this.unread.set(id, unseen);
  }

  async refreshStatus() {
    try {
      this.availability = await this.api.status();
      if (this.availability.max_upload_bytes) this.composer.maxBytes = this.availability.max_upload_bytes;
    } catch {
      return;
    }
    this.panel.renderAvailability();
  }

  // --- socket --------------------------------------------------------------------------

  startSocket(cursor) {
    this.socket = new EventSocket({
      path: "/api/v1/ws/widget",
      hello: () => ({ token: this.api.token }),
      cursor,
      onReload: (reason) => this.reload(reason).catch(() => {}),
      onEvent: (frame) => this.applyEvent(frame),
      onFrame: (frame) => this.applyFrame(frame),
      onStatus: (status) => this.panel.setConnection(status),
      onWelcome: (welcome) => {
        if (welcome.max_message_chars) this.composer.input.maxLength = welcome.max_message_chars;
        this.outbox.flush();
        this.refreshStatus();
      },
      onCursor: (seq) => this.save("cursor", seq),
      onFatal: (code) => {
        if (code === 4001) this.restartSession();
      },
    });
    this.socket.start();
  }

  applyEvent(frame) {
    const data = frame.data || {};
    if (data.conversation) this.upsertConversation(data.conversation);
    if (frame.event === "queue.updated") this.queues.set(data.conversation_id, data);
    else if (frame.event === "message.created" && data.message) this.addMessage(data.message);
    else if (frame.event === "conversation.read" && data.reader === "agent") {
      const conversation = this.conversations.get(data.conversation_id);
      if (conversation) {
        conversation.agent_last_read_id = Math.max(conversation.agent_last_read_id || 0, data.message_id);
      }
    }
    this.render();
  }

  applyFrame(frame) {
    if (frame.type !== "typing" || frame.who !== "agent") return;
    clearTimeout(this.typingAgent && this.typingAgent.timer);
    if (frame.state === "stop") this.typingAgent = null;
    else {
      const timer = setTimeout(() => {
        this.typingAgent = null;
        this.panel.renderTyping();
      }, TYPING_CLEAR_MS);
      this.typingAgent = { conversationId: frame.conversation_id, name: frame.name || "", timer };
    }
    this.panel.renderTyping();
  }

  upsertConversation(conversation) {
    const known = this.conversations.get(conversation.id);
    // Read receipts only move forward, whichever event carried the newer one.
    if (known) {
      conversation.agent_last_read_id = Math.max(known.agent_last_read_id || 0, conversation.agent_last_read_id || 0);
      conversation.contact_last_read_id = Math.max(known.contact_last_read_id || 0, conversation.contact_last_read_id || 0);
      // Events carry the conversation without the list's preview: keep the one we have.
      if (!conversation.last_message && known.last_message) conversation.last_message = known.last_message;
    }
    this.conversations.set(conversation.id, conversation);
  }

  addMessage(message) {
    if (message.internal) return;
    // Our first message's event may overtake its ack: it names the new conversation.
    if (message.sender.type === "contact" && this.outbox.startsConversation(message)) {
      this.adoptNewConversation(message.conversation_id);
    }
    const conversation = this.conversations.get(message.conversation_id);
    if (conversation) {
      conversation.last_message = {
        sender_type: message.sender.type,
        body: message.body,
        internal: false,
        attachments: message.attachments.length,
        created_at: message.created_at,
        system: message.system || null,
      };
    }
    const known = this.messages.get(message.conversation_id);
    const isNew = !known || !known.has(message.id);
    if (known) known.set(message.id, message);
    else if (message.conversation_id === this.current) this.messages.set(message.conversation_id, new Map([[message.id, message]]));
    this.outbox.settle(message);
    if (message.sender.type === "agent" || message.sender.type === "bot") {
      if (this.typingAgent && this.typingAgent.conversationId === message.conversation_id) {
        clearTimeout(this.typingAgent.timer);
        this.typingAgent = null;
        this.panel.renderTyping();
      }
      if (isNew && !this.seeing(message.conversation_id)) {
        this.unread.set(message.conversation_id, (this.unread.get(message.conversation_id) || 0) + 1);
      }
    }
  }

  // --- sending -------------------------------------------------------------------------

  currentId() {
    return this.current;
  }

  async send(body, attachments) {
    const sent = this.outbox.add(body, attachments, this.current);
    this.render();
    this.panel.scrollToEnd(true);
    await sent;
  }

  retry(clientId) {
    this.outbox.retry(clientId);
  }

  acknowledged(message, stored) {
    if (message.conversation_id === null) this.adoptNewConversation(stored.conversation_id);
    if (!this.conversations.has(stored.conversation_id)) {
      this.api.conversation(stored.conversation_id).then(
        (conversation) => {
          this.upsertConversation(conversation);
          this.render();
        },
        () => {},
      );
    }
    this.addMessage(stored);
    this.render();
  }

  // The first message created the conversation: later unsent messages join it.
  adoptNewConversation(id) {
    this.outbox.adopt(id);
    if (this.current === null) {
      const draft = this.composer.input.value;
      this.setCurrent(id);
      this.saveDraft(draft);
      this.save("draft:new", null);
    }
    if (!this.messages.has(id)) this.messages.set(id, new Map());
  }

  // Uploads need a conversation: create one (without a message) when there is none yet.
  async ensureConversation() {
    await this.ready;
    if (this.current !== null) return this.current;
    if (!this.creating) {
      this.creating = this.api.startConversation({ locale: this.tr.locale }).then((conversation) => {
        this.upsertConversation(conversation);
        this.adoptNewConversation(conversation.id);
        this.render();
        return conversation.id;
      });
      this.creating
        .finally(() => {
          this.creating = null;
        })
        .catch(() => {}); // the caller handles the error
    }
    return this.creating;
  }

  setCurrent(id) {
    this.current = id;
    this.save("current", id);
  }

  // --- reading -------------------------------------------------------------------------

  seeing(conversationId) {
    return this.open && this.view === "chat" && this.current === conversationId && document.visibilityState === "visible";
  }

  markSeen() {
    const id = this.current;
    if (id === null || !this.socket || !this.seeing(id)) return;
    this.unread.delete(id);
    this.panel.postUnread();
    const conversation = this.conversations.get(id);
    const messages = this.messages.get(id);
    if (!conversation || !messages || !messages.size) return;
    const newest = Math.max(...messages.keys());
    if (newest <= (conversation.contact_last_read_id || 0)) return;
    conversation.contact_last_read_id = newest;
    const frame = { type: "read", conversation_id: id, message_id: newest };
    this.socket.request(frame).catch(() => {
      conversation.contact_last_read_id = 0; // try again at the next chance
    });
  }

  // --- navigation ----------------------------------------------------------------------

  async openConversation(id) {
    this.composer.stopTyping();
    this.setCurrent(id);
    this.log.reset();
    this.composer.setText(this.load(`draft:${id || "new"}`, ""));
    this.panel.showChat();
    if (id !== null && !this.messages.has(id)) {
      try {
        await this.loadMessages(id);
      } catch (error) {
        if (error.status === 401) this.restartSession();
      }
    }
    this.render();
    this.panel.scrollToEnd(true);
    this.composer.focus();
  }

  setOpen(open) {
    this.open = open;
    if (open && this.firstOpen) {
      this.firstOpen();
      this.firstOpen = null;
    }
    if (open) {
      this.refreshStatus();
      this.panel.scrollToEnd(true);
      this.composer.focus();
      this.markSeen();
    } else {
      this.composer.stopTyping();
    }
  }

  // --- rendering -----------------------------------------------------------------------

  currentMessages() {
    const known = this.current === null ? null : this.messages.get(this.current);
    return known ? Array.from(known.values()).sort((a, b) => a.id - b.id) : [];
  }

  render() {
    if (!this.panel) return;
    const conversation = this.current === null ? null : this.conversations.get(this.current);
    const pending = this.outbox.inConversation(this.current);
    const pinned = this.panel.nearBottom();
    this.log.render(logItems(this, this.currentMessages(), pending, conversation));
    this.panel.renderConversationState(conversation);
    this.renderBotActions(conversation);
    this.panel.renderQueue(conversation, this.queueOf(conversation));
    this.panel.renderList();
    this.panel.renderTyping();
    // Decided before the new rows were added: they must not undo "was at the bottom".
    if (pinned) this.panel.scrollToEnd(true);
    this.markSeen();
    this.panel.postUnread();
  }

  // Only the newest bot answer offers its buttons, and only while the bot has the chat.
  renderBotActions(conversation) {
    const all = Array.from(document.querySelectorAll("#log .bot-actions"));
    const withBot = !!conversation && conversation.status === "bot";
    all.forEach((actions, index) => {
      actions.hidden = !withBot || index !== all.length - 1;
    });
  }

  async botChoice(conversationId, choice) {
    document.querySelectorAll("#log .bot-actions button").forEach((b) => (b.disabled = true));
    try {
      this.upsertConversation(await this.api.botChoice(conversationId, choice));
    } catch (error) {
      if (error.code !== "not_with_bot") this.toast(this.tr.t("widget.failed"));
    }
    document.querySelectorAll("#log .bot-actions button").forEach((b) => (b.disabled = false));
    this.render();
  }

  // The place of a waiting conversation: from queue.updated events, fetched once when the
  // conversation is shown before any event came (a reload, another tab).
  queueOf(conversation) {
    if (!conversation || conversation.status !== "queued") return null;
    const known = this.queues.get(conversation.id);
    if (known === undefined) {
      this.queues.set(conversation.id, null);
      this.api.queue(conversation.id).then(
        (state) => {
          if (this.queues.get(conversation.id) === null) this.queues.set(conversation.id, state);
          this.render();
        },
        () => this.queues.delete(conversation.id),
      );
    }
    return known || null;
  }

  async askAnotherAgent(conversationId) {
    try {
      const state = await this.api.anotherAgent(conversationId);
      this.queues.set(conversationId, state);
      const conversation = this.conversations.get(conversationId);
      if (conversation) conversation.status = "queued";
      this.panel.announce(this.tr.t("widget.another_agent_asked"));
    } catch (error) {
      if (error.code !== "no_agent") this.toast(this.tr.t("widget.failed"));
    }
    this.render();
  }

  toast(text) {
    this.composer.showError(text);
  }

  async setLanguage(locale) {
    store.save("locale", locale);
    this.tr = await loadTranslator(locale);
    this.log.reset();
    this.panel.applyLanguage();
    this.render();
    this.api.updateMe({ locale: this.tr.locale }).catch(() => {});
  }
}


connectHost().then((host) => {
  const app = new WidgetApp(host);
  host.onMessage = (message) => {
    if (message.type === "open") app.setOpen(true);
    else if (message.type === "close") app.setOpen(false);
  };
  app.start().catch((error) => {
    console.warn("Supportdesk: the chat could not start:", error);
    if (app.panel) app.panel.showStartError();
  });
});
