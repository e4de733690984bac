// The panel around the log: header (availability, language menu, close), the offline
// banner, the list of past conversations, the "nobody online" email form, the closed
// conversation notice, keyboard handling and the brand colour.

import { el, svgIcon, ICONS } from "./dom.js";
import * as store from "./store.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const OFFLINE_GRACE_MS = 1500;

// The visitor's own choice first, then the host page's data-locale, then the browser's.
export function pickLocale(config) {
  const chosen = store.load("locale");
  if (chosen) return chosen;
  if (config.locale) return config.locale;
  const preferred = config.host_languages && config.host_languages.length ? config.host_languages : navigator.languages || [];
  const supported = preferred.find((tag) => /^(en|zh|es)\b/i.test(tag));
  return supported || preferred[0] || "en";
}

export class Panel {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById("panel");
    this.scroller = document.getElementById("scroller");
    this.banner = document.getElementById("offline-banner");
    this.langButton = document.getElementById("lang-button");
    this.langMenu = document.getElementById("lang-menu");
    this.connection = "connecting";
    this.everOnline = false;
    this.bannerTimer = null;
    this.applyBrand(app.config.color);
    this.wire();
  }

  wire() {
    const { app } = this;
    document.getElementById("close").addEventListener("click", () => app.host.post({ type: "close" }));
    document.getElementById("back").addEventListener("click", () => this.showList());
    document.getElementById("new-from-list").addEventListener("click", () => app.openConversation(null));
    document.getElementById("new-from-closed").addEventListener("click", () => app.openConversation(null));
    document.getElementById("email-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveEmail();
    });
    this.langButton.addEventListener("click", () => this.toggleMenu(this.langMenu.hidden));
    this.langMenu.addEventListener("click", (event) => {
      const item = event.target.closest("[data-locale]");
      if (!item) return;
      this.toggleMenu(false);
      this.langButton.focus();
      app.setLanguage(item.dataset.locale);
    });
    this.langMenu.addEventListener("keydown", (event) => this.menuKeys(event));
    document.addEventListener("click", (event) => {
      if (!this.langMenu.hidden && !event.target.closest(".lang")) this.toggleMenu(false);
    });
    document.addEventListener("keydown", (event) => this.keys(event));
  }

  // --- brand ---------------------------------------------------------------------------

  applyBrand(color) {
    const brand = HEX.test(color || "") ? expand(color) : "#0b5cff";
    const style = document.documentElement.style;
    const l = luminance(brand);
    const whiteContrast = contrast(l, 1);
    const ink = whiteContrast >= contrast(l, luminance("#111827")) ? "#ffffff" : "#111827";
    style.setProperty("--brand", brand);
    style.setProperty("--brand-ink", ink);
    // Links, focus rings and icons sit on white: use the brand only where it reads there.
    style.setProperty("--accent", whiteContrast >= 4.5 ? brand : "#1f2937");
  }

  // --- language ------------------------------------------------------------------------

  applyLanguage() {
    const { tr } = this.app;
    document.documentElement.lang = tr.locale;
    document.title = tr.t("widget.title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr.t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", tr.t(node.dataset.i18nLabel));
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = tr.t(node.dataset.i18nPlaceholder);
    document.getElementById("greeting").textContent = this.app.config.greeting || tr.t("widget.greeting");
    for (const item of this.langMenu.querySelectorAll("[data-locale]")) {
      item.setAttribute("aria-checked", String(item.dataset.locale === tr.locale));
    }
    this.renderAvailability();
    this.renderBanner();
    this.app.host.post({
      type: "labels",
      labels: { open: tr.t("widget.open_chat"), close: tr.t("widget.close_chat"), frame: tr.t("widget.frame_title") },
    });
  }

  toggleMenu(open) {
    this.langMenu.hidden = !open;
    this.langButton.setAttribute("aria-expanded", String(open));
    if (open) {
      const checked = this.langMenu.querySelector('[aria-checked="true"]') || this.langMenu.querySelector("button");
      checked.focus();
    }
  }

  menuKeys(event) {
    const items = Array.from(this.langMenu.querySelectorAll("button"));
    const index = items.indexOf(document.activeElement);
    let next = null;
    if (event.key === "ArrowDown") next = items[(index + 1) % items.length];
    else if (event.key === "ArrowUp") next = items[(index - 1 + items.length) % items.length];
    else if (event.key === "Home") next = items[0];
    else if (event.key === "End") next = items[items.length - 1];
    else if (event.key === "Tab") this.toggleMenu(false);
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  // --- keyboard: Escape closes the innermost thing; Tab stays inside the panel ----------

  keys(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (this.app.files.lightboxOpen) this.app.files.closeLightbox();
      else if (!this.langMenu.hidden) {
        this.toggleMenu(false);
        this.langButton.focus();
      } else this.app.host.post({ type: "close" });
    } else if (event.key === "Tab") {
      this.trapFocus(event);
    }
  }

  trapFocus(event) {
    const scope = this.app.files.lightboxOpen ? document.getElementById("lightbox") : this.root;
    const focusable = Array.from(
      scope.querySelectorAll('button, [href], input, textarea, select, [tabindex]:not([tabindex="-1"])'),
    ).filter((node) => !node.disabled && node.getClientRects().length > 0 && node.tabIndex >= 0);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !scope.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !scope.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // --- views ---------------------------------------------------------------------------

  showChat() {
    this.app.view = "chat";
    document.getElementById("view-chat").hidden = false;
    document.getElementById("view-list").hidden = true;
    document.getElementById("foot").hidden = false;
    this.renderBack();
  }

  showList() {
    this.app.view = "list";
    this.app.composer.stopTyping();
    document.getElementById("view-chat").hidden = true;
    document.getElementById("view-list").hidden = false;
    document.getElementById("foot").hidden = true;
    this.renderBack();
    this.renderList();
    document.getElementById("new-from-list").focus();
  }

  renderBack() {
    const back = document.getElementById("back");
    back.hidden = this.app.view !== "chat" || this.app.conversations.size === 0;
  }

  renderList() {
    const { app } = this;
    const { tr } = app;
    this.renderBack();
    if (app.view !== "list") return;
    const list = document.getElementById("conversations");
    const conversations = Array.from(app.conversations.values()).sort((a, b) =>
      String(b.last_message_at || b.updated_at).localeCompare(String(a.last_message_at || a.updated_at)),
    );
    document.getElementById("no-conversations").hidden = conversations.length > 0;
    list.replaceChildren(
      ...conversations.map((conversation) => {
        const button = el("button", { type: "button", className: "conversation" });
        const unread = app.unread.get(conversation.id) || 0;
        const text = el("span", { className: "conversation-text" });
        text.append(
          el("span", { className: "conversation-title", text: conversation.subject || tr.t("widget.conversation_number", { id: conversation.id }) }),
          ...this.previewLine(conversation),
          el("span", {
            className: "conversation-meta",
            text: `${tr.t(`widget.status.${conversation.status}`)} · ${tr.relative(conversation.last_message_at || conversation.updated_at)}`,
          }),
        );
        button.append(text);
        if (unread) button.append(el("span", { className: "unread", text: tr.n("widget.new_messages", unread) }));
        button.append(svgIcon(ICONS.chevron));
        button.addEventListener("click", () => app.openConversation(conversation.id));
        const item = el("li");
        item.append(button);
        return item;
      }),
    );
  }

  // The latest message of a conversation in the list, as GET /widget/conversations gives it.
  previewLine(conversation) {
    const last = conversation.last_message;
    if (!last) return [];
    const { tr } = this.app;
    let text = last.body.replace(/\s+/g, " ").trim();
    if (last.system && last.system.kind === "status") text = tr.t(`widget.status_note.${last.system.status}`);
    else if (!text && last.attachments) text = tr.n("widget.attachments_count", last.attachments);
    if (!text) return [];
    if (last.sender_type === "contact") text = tr.t("widget.you_wrote", { text });
    return [el("span", { className: "conversation-preview", text })];
  }

  renderConversationState(conversation) {
    const status = conversation ? conversation.status : null;
    const closed = status === "closed";
    const notice = document.getElementById("closed-notice");
    notice.hidden = !(closed || status === "resolved");
    notice.classList.toggle("resolved", status === "resolved");
    notice.firstElementChild.textContent = this.app.tr.t(closed ? "widget.conversation_closed" : "widget.conversation_resolved");
    const composer = document.getElementById("composer");
    const wasHidden = composer.hidden;
    composer.hidden = closed;
    if (closed && !wasHidden && this.root.contains(document.activeElement) && document.activeElement.closest("#composer")) {
      document.getElementById("new-from-closed").focus();
    }
    this.renderBack();
  }

  // --- the queue and "ask for another agent" (docs/routing.md) ---------------------------

  // Built here rather than in the template: one line above the typing indicator, read out
  // by screen readers when the place changes.
  queueBox() {
    let box = document.getElementById("queue-box");
    if (box) return box;
    box = document.createElement("div");
    box.id = "queue-box";
    // Styled here: widget.css knows nothing of it (the look of a muted system line).
    box.style.cssText = "margin: 8px 24px; font-size: 13px; color: var(--muted); text-align: center;";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    const line = document.createElement("p");
    line.id = "queue-line";
    line.style.margin = "0 0 4px";
    const another = document.createElement("button");
    another.type = "button";
    another.id = "another-agent";
    another.className = "link-btn";
    another.addEventListener("click", () => {
      if (this.app.current !== null) this.app.askAnotherAgent(this.app.current);
    });
    const said = document.createElement("p");
    said.id = "queue-said";
    said.style.margin = "0 0 4px";
    box.append(line, said, another);
    const typing = document.getElementById("typing");
    typing.parentNode.insertBefore(box, typing);
    return box;
  }

  renderQueue(conversation, state) {
    const { tr } = this.app;
    const box = this.queueBox();
    const line = document.getElementById("queue-line");
    const another = document.getElementById("another-agent");
    const parts = [];
    if (state && state.queue_position) {
      parts.push(state.queue_position === 1 ? tr.t("widget.queue_next") : tr.t("widget.queue_position", { position: state.queue_position }));
      if (state.expected_wait_seconds != null) {
        parts.push(tr.t("widget.estimated_wait", { count: Math.max(1, Math.round(state.expected_wait_seconds / 60)) }));
      } else if (state.next_opening) {
        parts.push(tr.t("widget.next_opening", { when: tr.dateTime(state.next_opening) }));
      }
    }
    line.textContent = parts.join(" · ");
    line.hidden = !parts.length;
    another.textContent = tr.t("widget.another_agent");
    another.hidden = !conversation || !["open", "pending"].includes(conversation.status);
    const said = document.getElementById("queue-said");
    said.hidden = !said.textContent || !conversation || conversation.status !== "queued";
    box.hidden = line.hidden && another.hidden && said.hidden;
  }

  announce(text) {
    this.queueBox();
    document.getElementById("queue-said").textContent = text;
  }

  // --- availability --------------------------------------------------------------------

  renderAvailability() {
    const { tr, availability, contact } = this.app;
    const line = document.getElementById("availability");
    const text = document.getElementById("availability-text");
    const away = document.getElementById("away");
    if (!availability) {
      line.hidden = true;
      away.hidden = true;
      return;
    }
    line.hidden = false;
    const online = !!availability.humans_available;
    line.classList.toggle("online", online);
    text.textContent = tr.t(online ? "widget.team_online" : "widget.team_away");
    away.hidden = online;
    const email = document.getElementById("email-input");
    if (!online && contact && contact.email && !email.value && !this.emailTouched) email.value = contact.email;
    // Routing and opening hours come later; when the status carries them, show them.
    const next = document.getElementById("next-opening");
    next.hidden = !availability.next_opening;
    if (availability.next_opening) next.textContent = tr.t("widget.next_opening", { when: tr.dateTime(availability.next_opening) });
    const queue = document.getElementById("queue-position");
    queue.hidden = !availability.queue_position;
    if (availability.queue_position) queue.textContent = tr.t("widget.queue_position", { position: availability.queue_position });
  }

  async saveEmail() {
    const { app } = this;
    const input = document.getElementById("email-input");
    const status = document.getElementById("email-status");
    const email = input.value.trim();
    this.emailTouched = true;
    status.classList.remove("ok");
    if (!EMAIL.test(email) || email.length > 254) {
      status.textContent = app.tr.t("widget.email_invalid");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    try {
      app.contact = await app.api.updateMe({ email });
      status.textContent = app.tr.t("widget.email_saved", { email });
      status.classList.add("ok");
    } catch (error) {
      status.textContent = app.tr.t(error.code === "invalid" ? "widget.email_invalid" : "widget.email_failed");
      if (error.code === "invalid") input.setAttribute("aria-invalid", "true");
    }
  }

  // --- connection ----------------------------------------------------------------------

  setConnection(status) {
    this.connection = status;
    clearTimeout(this.bannerTimer);
    if (status === "online") {
      this.everOnline = true;
      this.bannerShown = false;
    } else if (this.everOnline) {
      this.bannerShown = true;
    } else {
      // The first connection gets a moment before the banner says anything.
      this.bannerTimer = setTimeout(() => {
        this.bannerShown = this.connection !== "online";
        this.renderBanner();
      }, OFFLINE_GRACE_MS);
    }
    this.renderBanner();
  }

  renderBanner() {
    const show = !!this.bannerShown;
    this.banner.classList.toggle("show", show);
    const text = show ? this.app.tr.t("widget.offline_banner") : "";
    if (this.banner.textContent !== text) this.banner.textContent = text;
  }

  // --- typing --------------------------------------------------------------------------

  renderTyping() {
    const { app } = this;
    const typing = document.getElementById("typing");
    const agent = app.typingAgent;
    const visible = agent && agent.conversationId === app.current && app.view === "chat";
    typing.replaceChildren();
    typing.classList.toggle("show", !!visible);
    if (!visible) return;
    const dots = el("span", { className: "dots", ariaHidden: "true" });
    dots.append(el("span"), el("span"), el("span"));
    const name = agent.name;
    typing.append(dots, el("span", { text: name ? app.tr.t("widget.agent_typing", { name }) : app.tr.t("widget.someone_typing") }));
  }

  // --- scrolling and the launcher badge ---------------------------------------------------

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  scrollToEnd(force) {
    if (force || this.nearBottom()) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  postUnread() {
    const { app } = this;
    let count = 0;
    for (const value of app.unread.values()) count += value;
    if (count === this.lastUnread) return;
    this.lastUnread = count;
    app.host.post({ type: "unread", count });
    app.host.post({
      type: "labels",
      labels: {
        open: app.tr.t("widget.open_chat"),
        close: app.tr.t("widget.close_chat"),
        frame: app.tr.t("widget.frame_title"),
        unread: count ? app.tr.n("widget.new_messages", count) : "",
      },
    });
  }

  showStartError() {
    this.banner.textContent = this.app.tr ? this.app.tr.t("widget.start_failed") : "The chat could not start. Please reload the page.";
    this.banner.classList.add("show");
  }
}

function expand(value) {
  let hex = value.slice(1).toLowerCase();
  if (hex.length === 3) hex = hex.replace(/./g, "$&$&");
  return `#${hex}`;
}

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
