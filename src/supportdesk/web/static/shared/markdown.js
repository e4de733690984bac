// Markdown-lite for chat messages, built from DOM nodes only.
//
// Nothing here ever assigns HTML (no innerHTML, no insertAdjacentHTML): every piece of
// user text becomes a Text node, so "<img onerror=…>" is shown, never parsed. Links are
// kept only for http, https and mailto URLs and always open in a new tab without
// handing the opener or the referrer to the target.
//
// Supported: **bold**, *italic* / _italic_, `code`, ``` fenced blocks ```, [text](url),
// bare URLs, "- " / "* " bullet lists, "1. " numbered lists, and line breaks.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const LINK_REL = "noopener noreferrer nofollow";
// Bare URLs: stop at whitespace and at the characters that usually close a sentence.
const BARE_URL = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/y;
const INLINE_LINK = /\[([^\]\n]{1,500})\]\(([^)\s]{1,2000})\)/y;

export function safeUrl(href) {
  let url;
  try {
    url = new URL(String(href).trim());
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) fragment.append(paragraphNode(paragraph));
    paragraph = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    if (line.trimStart().startsWith("```")) {
      flush();
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trimStart().startsWith("```")) code.push(lines[i++]);
      i += 1; // the closing fence, or the end
      const pre = document.createElement("pre");
      const codeNode = document.createElement("code");
      codeNode.textContent = code.join("\n");
      pre.append(codeNode);
      fragment.append(pre);
      continue;
    }
    const list = listKind(line);
    if (list) {
      flush();
      const node = document.createElement(list);
      while (i < lines.length && listKind(lines[i]) === list) {
        const item = document.createElement("li");
        item.append(inline(lines[i].replace(/^\s*(?:[-*]|\d{1,9}[.)])\s+/, "")));
        node.append(item);
        i += 1;
      }
      fragment.append(node);
      continue;
    }
    if (line.trim() === "") flush();
    else paragraph.push(line);
    i += 1;
  }
  flush();
  return fragment;
}

function listKind(line) {
  if (/^\s*[-*]\s+\S/.test(line)) return "ul";
  if (/^\s*\d{1,9}[.)]\s+\S/.test(line)) return "ol";
  return null;
}

function paragraphNode(lines) {
  const p = document.createElement("p");
  lines.forEach((line, index) => {
    if (index) p.append(document.createElement("br"));
    p.append(inline(line));
  });
  return p;
}

// Inline spans: a small left-to-right scanner. Emphasis markers must be closed on the
// same line, or they stay literal text.
function inline(text) {
  const out = document.createDocumentFragment();
  let plain = "";
  const emit = (node) => {
    if (plain) out.append(document.createTextNode(plain));
    plain = "";
    out.append(node);
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    if (text[i] === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i + 1) {
        const code = document.createElement("code");
        code.textContent = text.slice(i + 1, end);
        emit(code);
        i = end + 1;
        continue;
      }
    }
    if (text[i] === "[") {
      INLINE_LINK.lastIndex = i;
      const match = INLINE_LINK.exec(text);
      if (match) {
        const href = safeUrl(match[2]);
        if (href) emit(link(href, inline(match[1])));
        else plain += match[0];
        i += match[0].length;
        continue;
      }
    }
    if (text[i] === "h" && (rest.startsWith("http://") || rest.startsWith("https://"))) {
      BARE_URL.lastIndex = i;
      const match = BARE_URL.exec(text);
      const href = match && safeUrl(match[0]);
      if (href) {
        emit(link(href, document.createTextNode(match[0])));
        i += match[0].length;
        continue;
      }
    }
    const strong = rest.startsWith("**") ? "**" : rest.startsWith("__") ? "__" : null;
    if (strong) {
      const end = text.indexOf(strong, i + 2);
      if (end > i + 2) {
        const node = document.createElement("strong");
        node.append(inline(text.slice(i + 2, end)));
        emit(node);
        i = end + 2;
        continue;
      }
    }
    if ((text[i] === "*" || text[i] === "_") && isWordStart(text, i)) {
      const end = text.indexOf(text[i], i + 1);
      if (end > i + 1 && text[end - 1] !== " " && text[i + 1] !== " ") {
        const node = document.createElement("em");
        node.append(inline(text.slice(i + 1, end)));
        emit(node);
        i = end + 1;
        continue;
      }
    }
    plain += text[i];
    i += 1;
  }
  if (plain) out.append(document.createTextNode(plain));
  return out;
}

// snake_case_names and 2*3*4 stay literal: emphasis opens only after a non-word character.
function isWordStart(text, i) {
  return i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1]);
}

function link(href, content) {
  const a = document.createElement("a");
  a.href = href;
  a.rel = LINK_REL;
  a.target = "_blank";
  a.append(content);
  return a;
}
