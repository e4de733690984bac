// Small DOM helpers. Text only ever goes in as text (textContent), never as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

export const ICONS = {
  bot: "M12 2a1 1 0 0 1 1 1v1h4a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V7a3 3 0 0 1 3-3h4V3a1 1 0 0 1 1-1zM9 10a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm-6 5h6v1.5H9z",
  file: "M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z",
  remove:
    "M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z",
  chevron: "M8.6 5.4a1 1 0 0 1 1.4 0l5.9 5.9a1 1 0 0 1 0 1.4L10 18.6a1 1 0 1 1-1.4-1.4l5.2-5.2-5.2-5.2a1 1 0 0 1 0-1.4z",
};

// el("button", {className, text, type, ariaLabel, ...attributes})
export function el(tag, props = {}) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (name === "ariaLabel") node.setAttribute("aria-label", value);
    else if (name === "ariaHidden") node.setAttribute("aria-hidden", value);
    else if (name === "dateTime") node.setAttribute("datetime", value);
    else if (name === "hidden") node.hidden = true;
    else node.setAttribute(name, value === true ? "" : value);
  }
  return node;
}

export function svgIcon(path) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(SVG_NS, "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

export function formatBytes(tr, bytes) {
  const units = [
    ["gigabyte", 1024 ** 3],
    ["megabyte", 1024 ** 2],
    ["kilobyte", 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      return new Intl.NumberFormat(tr.locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 }).format(bytes / size);
    }
  }
  return new Intl.NumberFormat(tr.locale, { style: "unit", unit: "byte", unitDisplay: "short" }).format(bytes);
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
