// The composer: an autosizing textarea (Enter sends, Shift+Enter starts a new line),
// the visitor's typing notifications, and files added by the picker, by dropping them on
// the panel or by pasting a screenshot. Each file is checked here first, then uploaded at
// once (with a progress bar on its chip), so sending only has to list the ids.

import { el, svgIcon, ICONS, formatBytes, uuid } from "./dom.js";
import { isAcceptedFile, DEFAULT_MAX_BYTES } from "./files.js";

const MAX_FILES = 10;
const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
const MAX_HEIGHT_PX = 140;

export class Composer {
  constructor(ctx) {
    this.ctx = ctx;
    this.form = document.getElementById("composer");
    this.input = document.getElementById("input");
    this.chipList = document.getElementById("chips");
    this.error = document.getElementById("file-error");
    this.fileInput = document.getElementById("file-input");
    this.dropZone = document.getElementById("drop-zone");
    this.chips = [];
    this.maxBytes = DEFAULT_MAX_BYTES;
    this.typingSentAt = 0;
    this.typingConversation = null;
    this.idleTimer = null;
    this.wire();
  }

  wire() {
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      this.autosize();
      this.ctx.saveDraft(this.input.value);
      this.typing();
    });
    this.input.addEventListener("blur", () => this.stopTyping());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    document.getElementById("attach").addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      this.addFiles(Array.from(this.fileInput.files));
      this.fileInput.value = "";
    });
    this.input.addEventListener("paste", (event) => {
      const files = Array.from(event.clipboardData ? event.clipboardData.files : []);
      if (files.length) {
        event.preventDefault();
        this.addFiles(files);
      }
    });
    this.wireDrop(document.getElementById("panel"));
  }

  wireDrop(panel) {
    let depth = 0;
    const hasFiles = (event) => Array.from(event.dataTransfer ? event.dataTransfer.types : []).includes("Files");
    panel.addEventListener("dragenter", (event) => {
      if (!hasFiles(event) || !this.canAttach()) return;
      event.preventDefault();
      depth += 1;
      this.dropZone.hidden = false;
    });
    panel.addEventListener("dragover", (event) => {
      if (hasFiles(event) && this.canAttach()) event.preventDefault();
    });
    panel.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) this.dropZone.hidden = true;
    });
    panel.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      this.dropZone.hidden = true;
      if (this.canAttach()) this.addFiles(Array.from(event.dataTransfer.files));
    });
  }

  canAttach() {
    return !this.form.hidden;
  }

  autosize() {
    this.input.style.height = "auto";
    const height = Math.min(this.input.scrollHeight, MAX_HEIGHT_PX);
    this.input.style.height = `${height}px`;
    this.input.style.overflowY = this.input.scrollHeight > MAX_HEIGHT_PX ? "auto" : "hidden";
  }

  setText(text) {
    this.input.value = text || "";
    this.autosize();
  }

  focus() {
    if (!this.form.hidden) this.input.focus();
  }

  // --- typing --------------------------------------------------------------------------

  typing() {
    const conversationId = this.ctx.currentId();
    if (!conversationId || !this.ctx.socket || !this.input.value.trim()) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_EVERY_MS || this.typingConversation !== conversationId) {
      if (this.ctx.socket.send({ type: "typing", conversation_id: conversationId, state: "start" })) {
        this.typingSentAt = now;
        this.typingConversation = conversationId;
      }
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.idleTimer);
    if (this.typingConversation === null || !this.ctx.socket) return;
    this.ctx.socket.send({ type: "typing", conversation_id: this.typingConversation, state: "stop" });
    this.typingConversation = null;
    this.typingSentAt = 0;
  }

  // --- sending -------------------------------------------------------------------------

  async submit() {
    const body = this.input.value.trim();
    const chips = this.chips.slice();
    if (!body && !chips.length) return;
    if (chips.some((chip) => chip.state === "uploading")) {
      this.showError(this.ctx.tr.t("widget.wait_for_uploads"));
      return;
    }
    this.stopTyping();
    this.clearError();
    this.setText("");
    this.ctx.saveDraft("");
    this.chips = [];
    this.renderChips();
    await this.ctx.send(
      body,
      chips.map((chip) => chip.attachment),
    );
  }

  // --- files ---------------------------------------------------------------------------

  async addFiles(files) {
    const { tr } = this.ctx;
    this.clearError();
    for (const file of files) {
      if (this.chips.length >= MAX_FILES) {
        this.showError(tr.t("widget.too_many_files", { max: MAX_FILES }));
        break;
      }
      if (!isAcceptedFile(file)) {
        this.showError(tr.t("widget.file_type_not_allowed", { name: file.name || "" }));
        continue;
      }
      if (file.size > this.maxBytes) {
        this.showError(tr.t("widget.file_too_large", { name: file.name || "", size: formatBytes(tr, this.maxBytes) }));
        continue;
      }
      this.upload(file);
    }
  }

  async upload(file) {
    const name = file.name && file.name !== "image.png" ? file.name : `screenshot-${new Date().toISOString().slice(0, 19).replace(/[T:]/g, "-")}.png`;
    const chip = { id: uuid(), file, name, state: "uploading", progress: 0, preview: null, attachment: null };
    if (/^image\//.test(file.type)) chip.preview = URL.createObjectURL(file);
    this.chips.push(chip);
    this.renderChips();
    try {
      const conversationId = await this.ctx.ensureConversation();
      const named = file.name === name ? file : new File([file], name, { type: file.type });
      chip.attachment = await this.ctx.api.upload(conversationId, named, (fraction) => {
        chip.progress = fraction;
        this.updateProgress(chip);
      });
      if (!this.chips.includes(chip)) return; // removed while uploading
      chip.state = "done";
      this.ctx.files.remember(chip.attachment.id, file);
    } catch (error) {
      this.chips = this.chips.filter((c) => c !== chip);
      this.showError(this.uploadError(error, name));
    }
    this.renderChips();
  }

  uploadError(error, name) {
    const { tr } = this.ctx;
    if (error.code === "too_large") {
      // this.maxBytes comes from GET /widget/status (max_upload_bytes).
      return tr.t("widget.file_too_large", { name, size: formatBytes(tr, this.maxBytes) });
    }
    if (error.code === "unsupported_type") return tr.t("widget.file_type_not_allowed", { name });
    if (error.code === "corrupt_image" || error.code === "image_too_large" || error.code === "empty_file") {
      return tr.t(`widget.upload_error.${error.code}`, { name });
    }
    if (error.code === "rate_limited") return tr.t("widget.rate_limited");
    if (error.code === "conversation_closed") return tr.t("widget.conversation_closed");
    return tr.t("widget.upload_failed", { name });
  }

  remove(chip) {
    this.chips = this.chips.filter((c) => c !== chip);
    this.renderChips();
    this.input.focus();
  }

  renderChips() {
    const { tr } = this.ctx;
    this.chipList.hidden = this.chips.length === 0;
    this.chipList.replaceChildren(
      ...this.chips.map((chip) => {
        const item = el("li", { className: `chip ${chip.state}` });
        if (chip.preview) item.append(el("img", { src: chip.preview, alt: "", className: "chip-thumb" }));
        else {
          const icon = el("span", { className: "chip-thumb file-icon" });
          icon.append(svgIcon(ICONS.file));
          item.append(icon);
        }
        const text = el("span", { className: "chip-text" });
        text.append(
          el("span", { className: "chip-name", text: chip.name }),
          el("span", { className: "chip-size", text: formatBytes(tr, chip.file.size) }),
        );
        item.append(text);
        if (chip.state === "uploading") {
          const bar = el("progress", { max: "100", value: String(Math.round(chip.progress * 100)), ariaLabel: tr.t("widget.uploading", { name: chip.name }) });
          chip.bar = bar;
          text.append(bar);
        }
        const remove = el("button", { type: "button", className: "chip-remove", ariaLabel: tr.t("widget.remove_file", { name: chip.name }) });
        remove.append(svgIcon(ICONS.remove));
        remove.addEventListener("click", () => this.remove(chip));
        item.append(remove);
        return item;
      }),
    );
  }

  updateProgress(chip) {
    if (chip.bar) chip.bar.value = Math.round(chip.progress * 100);
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  clearError() {
    this.error.textContent = "";
    this.error.hidden = true;
  }
}
