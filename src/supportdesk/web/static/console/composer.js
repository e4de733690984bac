// The reply box: Reply / Internal note, Markdown-lite with a preview, attachments (picker,
// drag and drop, paste), canned replies on "/", typing frames, and sends that survive
// failures (one client_id per message, retried as is).
import { renderMarkdown } from "../shared/markdown.js";
import { post } from "./api.js";
import { CannedPicker } from "./canned.js";
import { formatBytes, h, replace, toast, uuid } from "./dom.js";
import { errorText } from "./errors.js";
import { state, t } from "./store.js";

export class Composer {
  constructor(view) {
    this.view = view;
    this.mode = "reply";
    this.files = []; // {key, name, size, status: uploading|done|failed, attachment}
    this.lastTyping = 0;
    this.build();
  }

  build() {
    const id = this.view.id;
    this.replyTab = h("button.mode-btn", { type: "button", role: "tab", id: `mode-reply-${id}`, onclick: () => this.setMode("reply") }, t("console.composer.reply"));
    this.noteTab = h("button.mode-btn", { type: "button", role: "tab", id: `mode-note-${id}`, onclick: () => this.setMode("note") }, t("console.composer.note"));
    this.previewBtn = h("button.link-btn.preview-btn", { type: "button", "aria-pressed": "false", onclick: () => this.togglePreview() }, t("console.composer.preview"));
    this.input = h("textarea.composer-input", { rows: 3, "aria-label": t("console.composer.reply_label") });
    this.previewEl = h("div.composer-preview.msg-body", { hidden: true, "aria-live": "polite" });
    this.filesEl = h("div.composer-files");
    this.fileInput = h("input", { type: "file", multiple: true, hidden: true, "aria-hidden": "true", tabindex: "-1" });
    this.fileInput.addEventListener("change", () => {
      this.addFiles(this.fileInput.files);
      this.fileInput.value = "";
    });
    this.sendBtn = h("button.btn.btn-primary.send-btn", { type: "button", onclick: () => this.send() }, t("console.composer.send"));
    this.closedEl = h("p.composer-closed", { hidden: true });
    this.picker = new CannedPicker(this.input, () => this.view.id);
    this.el = h(
      "div.composer",
      h("div.composer-tabs", { role: "tablist", "aria-label": t("console.composer.mode") }, this.replyTab, this.noteTab, h("span.spacer"), this.previewBtn),
      h("div.composer-box", this.input, this.previewEl, this.filesEl, this.picker.el),
      h(
        "div.composer-foot",
        h("button.icon-btn.attach-btn", { type: "button", "aria-label": t("console.composer.attach"), title: t("console.composer.attach"), onclick: () => this.fileInput.click() }),
        h("button.icon-btn.canned-btn", { type: "button", "aria-label": t("console.composer.canned"), title: t("console.composer.canned"), onclick: () => this.picker.openFromButton() }),
        h("span.composer-hint", t("console.composer.hint")),
        this.sendBtn,
      ),
      this.fileInput,
      this.closedEl,
    );
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("paste", (event) => {
      const files = event.clipboardData ? [...event.clipboardData.files] : [];
      if (files.length) {
        event.preventDefault();
        this.addFiles(files);
      }
    });
    this.setMode("reply");
  }

  paint() {
    const c = this.view.conversation;
    const closed = c && c.status === "closed";
    this.input.disabled = Boolean(closed);
    this.sendBtn.disabled = Boolean(closed);
    this.closedEl.hidden = !closed;
    this.closedEl.textContent = closed ? t("console.composer.closed") : "";
  }

  setMode(mode) {
    this.mode = mode;
    const note = mode === "note";
    this.el.classList.toggle("note-mode", note);
    this.replyTab.setAttribute("aria-selected", String(!note));
    this.noteTab.setAttribute("aria-selected", String(note));
    this.input.placeholder = note ? t("console.composer.note_placeholder") : t("console.composer.reply_placeholder");
    this.input.setAttribute("aria-label", note ? t("console.composer.note_label") : t("console.composer.reply_label"));
    this.sendBtn.textContent = note ? t("console.composer.add_note") : t("console.composer.send");
    if (note) this.stopTyping();
  }

  focus(mode) {
    if (mode) this.setMode(mode);
    this.input.focus();
  }

  togglePreview() {
    const on = this.previewEl.hidden;
    this.previewEl.hidden = !on;
    this.input.hidden = on;
    this.previewBtn.setAttribute("aria-pressed", String(on));
    this.previewBtn.textContent = on ? t("console.composer.edit") : t("console.composer.preview");
    if (on) replace(this.previewEl, this.input.value.trim() ? renderMarkdown(this.input.value) : h("span.muted", t("console.composer.nothing")));
    else this.input.focus();
  }

  onKey(event) {
    if (this.picker.handleKey(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    } else if (event.key === "Escape") {
      this.input.blur();
    }
  }

  onInput() {
    this.picker.update();
    if (this.mode !== "reply") return;
    const socket = state.socket;
    if (!socket || !socket.connected) return;
    const now = Date.now();
    if (this.input.value && now - this.lastTyping > 3000) {
      this.lastTyping = now;
      socket.request({ type: "typing", conversation_id: this.view.id, state: "start" }, 3000).catch(() => {});
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), 4000);
    if (!this.input.value) this.stopTyping();
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (!this.lastTyping) return;
    this.lastTyping = 0;
    const socket = state.socket;
    if (socket && socket.connected) socket.request({ type: "typing", conversation_id: this.view.id, state: "stop" }, 3000).catch(() => {});
  }

  addFiles(list) {
    for (const file of list) {
      const entry = { key: uuid(), name: file.name || "pasted.png", size: file.size, status: "uploading", attachment: null };
      this.files.push(entry);
      const form = new FormData();
      form.append("file", file, entry.name);
      post(`/conversations/${this.view.id}/attachments`, form)
        .then((attachment) => Object.assign(entry, { status: "done", attachment }))
        .catch((failure) => {
          Object.assign(entry, { status: "failed", error: errorText(failure) });
          toast(t("console.composer.upload_failed", { name: entry.name, reason: errorText(failure) }), "error");
        })
        .finally(() => this.paintFiles());
    }
    this.paintFiles();
    this.input.focus();
  }

  paintFiles() {
    replace(
      this.filesEl,
      this.files.map((f) =>
        h(
          `span.file-chip.file-${f.status}`,
          f.attachment && f.attachment.content_type.startsWith("image/") ? h("img", { src: f.attachment.url, alt: "" }) : null,
          h("span.file-name", f.name),
          h("span.file-size", f.status === "uploading" ? t("console.composer.uploading") : f.status === "failed" ? t("console.composer.upload_error") : formatBytes(f.size)),
          h("button.icon-btn.file-remove", { type: "button", "aria-label": t("console.composer.remove_file", { name: f.name }), onclick: () => { this.files = this.files.filter((x) => x !== f); this.paintFiles(); } }, "×"),
        ),
      ),
    );
  }

  async send() {
    const body = this.input.value.trim();
    if (this.files.some((f) => f.status === "uploading")) {
      toast(t("console.composer.wait_uploads"), "info");
      return;
    }
    const ready = this.files.filter((f) => f.status === "done");
    if (!body && !ready.length) return;
    const message = {
      client_id: uuid(),
      conversation_id: this.view.id,
      sender: { type: "agent", agent_id: state.me.id, name: state.me.name },
      body,
      internal: this.mode === "note",
      created_at: new Date().toISOString(),
      attachments: ready.map((f) => f.attachment),
      pending: "sending",
    };
    this.input.value = "";
    this.files = [];
    this.paintFiles();
    this.picker.close();
    if (!this.previewEl.hidden) this.togglePreview();
    this.stopTyping();
    this.view.addMessage(message);
    await this.deliver(message);
  }

  async deliver(message) {
    try {
      const stored = await post(`/conversations/${this.view.id}/messages`, {
        body: message.body,
        internal: message.internal,
        client_id: message.client_id,
        attachment_ids: message.attachments.map((a) => a.id),
      });
      this.view.addMessage(stored);
    } catch (failure) {
      const current = this.view.messages.find((m) => m.client_id === message.client_id);
      if (current && current.pending) {
        current.pending = "failed";
        current.error = errorText(failure);
        this.view.rerender();
      }
    }
  }

  retry(message) {
    message.pending = "sending";
    message.error = null;
    this.view.rerender();
    this.deliver(message);
  }

  insertText(text) {
    const el = this.input;
    const start = el.selectionStart ?? el.value.length;
    el.value = el.value.slice(0, start) + text + el.value.slice(el.selectionEnd ?? start);
    el.selectionStart = el.selectionEnd = start + text.length;
    el.focus();
  }

  destroy() {
    this.stopTyping();
    this.picker.close();
  }
}
