// Attachments shown in messages, and the larger view of an image.
//
// A file needs the X-Visitor-Token header, which <img src> and <a href> cannot send, so
// each one is fetched once, kept as a Blob, and shown through an object URL.

import { el, svgIcon, ICONS, formatBytes } from "./dom.js";

export const ACCEPTED_TYPES = new Set([
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
  "application/pdf",
  "text/plain",
]);
const ACCEPTED_EXTENSIONS = /\.(png|jpe?g|webp|gif|pdf|txt)$/i;
// The server's default (SUPPORTDESK_MAX_UPLOAD_BYTES); a 413 answer gives the real one.
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export function isAcceptedFile(file) {
  return file.type ? ACCEPTED_TYPES.has(file.type) : ACCEPTED_EXTENSIONS.test(file.name || "");
}

export function isImage(attachment) {
  return /^image\//.test(attachment.content_type || attachment.type || "");
}

export class Files {
  constructor(ctx) {
    this.ctx = ctx;
    this.urls = new Map(); // attachment id -> Promise<object URL>
    this.lightbox = document.getElementById("lightbox");
    this.lightboxImage = document.getElementById("lightbox-image");
    this.returnFocus = null;
    document.getElementById("lightbox-close").addEventListener("click", () => this.closeLightbox());
    this.lightbox.addEventListener("click", (event) => {
      if (event.target === this.lightbox) this.closeLightbox();
    });
  }

  // A file the visitor just uploaded: show it from the local copy, no download needed.
  remember(attachmentId, blob) {
    this.urls.set(attachmentId, Promise.resolve(URL.createObjectURL(blob)));
  }

  url(attachment) {
    let url = this.urls.get(attachment.id);
    if (!url) {
      url = this.ctx.api.blob(attachment.url).then((blob) => URL.createObjectURL(blob));
      url.catch(() => this.urls.delete(attachment.id));
      this.urls.set(attachment.id, url);
    }
    return url;
  }

  render(attachments) {
    const list = el("div", { className: "attachments" });
    for (const attachment of attachments) {
      list.append(isImage(attachment) ? this.imageThumb(attachment) : this.fileLink(attachment));
    }
    return list;
  }

  imageThumb(attachment) {
    const { tr } = this.ctx;
    const button = el("button", {
      type: "button",
      className: "thumb",
      ariaLabel: tr.t("widget.open_image", { name: attachment.filename }),
    });
    const img = el("img", { alt: attachment.filename, decoding: "async" });
    if (attachment.width && attachment.height) {
      img.width = Math.min(220, attachment.width);
      img.height = Math.round((img.width * attachment.height) / attachment.width);
    }
    button.append(img);
    this.url(attachment)
      .then((url) => {
        img.src = url;
      })
      .catch(() => button.classList.add("broken"));
    button.addEventListener("click", async () => {
      this.openLightbox(await this.url(attachment), attachment.filename, button);
    });
    return button;
  }

  fileLink(attachment) {
    const { tr } = this.ctx;
    const link = el("a", { href: "#", className: "file", download: attachment.filename });
    link.append(
      svgIcon(ICONS.file),
      el("span", { className: "file-name", text: attachment.filename }),
      el("span", { className: "file-size", text: formatBytes(tr, attachment.size || 0) }),
    );
    link.addEventListener("click", async (event) => {
      if (link.getAttribute("href") !== "#") return;
      event.preventDefault();
      try {
        link.href = await this.url(attachment);
        link.click();
      } catch {
        this.ctx.toast(tr.t("widget.download_failed"));
      }
    });
    return link;
  }

  openLightbox(url, alt, opener) {
    this.returnFocus = opener || document.activeElement;
    this.lightboxImage.src = url;
    this.lightboxImage.alt = alt;
    this.lightbox.hidden = false;
    document.getElementById("lightbox-close").focus();
  }

  get lightboxOpen() {
    return !this.lightbox.hidden;
  }

  closeLightbox() {
    this.lightbox.hidden = true;
    this.lightboxImage.removeAttribute("src");
    if (this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
  }
}
