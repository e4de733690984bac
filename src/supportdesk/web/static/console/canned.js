// Canned replies: the "/" picker in the composer, and the management page (#/canned).
import { del, get, patch, post } from "./api.js";
import { openDialog } from "./dialog.js";
import { h, replace, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { state, t } from "./store.js";

export const PLACEHOLDERS = [
  "contact.name", "contact.first_name", "contact.email",
  "agent.name", "agent.first_name", "conversation.id",
];
const BASE_LOCALES = ["en", "zh-Hans", "es"];
let cache = null;
let cacheAt = 0;

export async function cannedReplies({ fresh = false } = {}) {
  // Kept until a canned_reply.changed event (live.js) says another agent changed the list.
  if (!fresh && cache && Date.now() - cacheAt < 10 * 60 * 1000) return cache;
  cache = await get("/canned-replies");
  cacheAt = Date.now();
  return cache;
}

export function invalidate() {
  cache = null;
}

function firstBody(reply) {
  const bodies = reply.bodies || {};
  return bodies[state.tr.locale] || bodies.en || Object.values(bodies)[0] || "";
}

// --- the picker ---------------------------------------------------------------------------

export class CannedPicker {
  constructor(input, conversationId) {
    this.input = input;
    this.conversationId = conversationId;
    this.items = [];
    this.index = 0;
    this.token = null; // {start, end, filter}
    this.listId = `canned-list-${Math.random().toString(36).slice(2)}`;
    this.el = h("div.canned-picker", { hidden: true });
    this.list = h("ul.canned-options", { role: "listbox", id: this.listId, "aria-label": t("console.canned.picker_label") });
    this.el.append(h("div.canned-picker-head", t("console.canned.picker_title"), h("span.muted", t("console.canned.picker_keys"))), this.list);
  }

  get open() {
    return !this.el.hidden;
  }

  findToken() {
    const caret = this.input.selectionStart;
    const before = this.input.value.slice(0, caret);
    const match = before.match(/(^|\s)\/([a-z0-9_-]*)$/i);
    if (!match) return null;
    return { start: caret - match[2].length - 1, end: caret, filter: match[2].toLowerCase() };
  }

  async update() {
    const token = this.findToken();
    if (!token) return this.close();
    this.token = token;
    let replies;
    try {
      replies = await cannedReplies();
    } catch (failure) {
      toast(errorText(failure), "error");
      return this.close();
    }
    if (!this.token || this.token.start !== token.start) return;
    const f = token.filter;
    this.items = replies
      .filter((r) => !f || r.shortcut.includes(f) || r.title.toLowerCase().includes(f))
      .sort((a, b) => Number(!a.shortcut.startsWith(f)) - Number(!b.shortcut.startsWith(f)) || a.shortcut.localeCompare(b.shortcut))
      .slice(0, 8);
    this.index = 0;
    this.paint(replies.length === 0);
  }

  paint(noneAtAll) {
    this.el.hidden = false;
    this.input.setAttribute("aria-controls", this.listId);
    this.input.setAttribute("aria-expanded", "true");
    if (!this.items.length) {
      replace(this.list, h("li.canned-empty", noneAtAll ? [t("console.canned.none_yet"), " ", h("a", { href: "#/canned" }, t("console.canned.manage"))] : t("console.canned.no_match")));
      return;
    }
    replace(
      this.list,
      this.items.map((item, i) =>
        h(
          "li.canned-option",
          {
            role: "option", id: `${this.listId}-${i}`, "aria-selected": String(i === this.index),
            onmousedown: (event) => { event.preventDefault(); this.choose(i); },
          },
          h("span.canned-shortcut", `/${item.shortcut}`),
          h("span.canned-title", item.title),
          h("span.canned-snippet", firstBody(item).slice(0, 90)),
        ),
      ),
    );
    this.input.setAttribute("aria-activedescendant", `${this.listId}-${this.index}`);
    this.list.children[this.index]?.scrollIntoView({ block: "nearest" });
  }

  handleKey(event) {
    if (!this.open) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (this.items.length) this.index = (this.index + step + this.items.length) % this.items.length;
      this.paint();
      return true;
    }
    if ((event.key === "Enter" || event.key === "Tab") && this.items.length) {
      event.preventDefault();
      this.choose(this.index);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
      return true;
    }
    return false;
  }

  async choose(index) {
    const item = this.items[index];
    const token = this.token;
    this.close();
    if (!item || !token) return;
    try {
      const { body } = await post(`/canned-replies/${item.id}/render`, { conversation_id: this.conversationId() });
      const value = this.input.value;
      this.input.value = value.slice(0, token.start) + body + value.slice(token.end);
      const caret = token.start + body.length;
      this.input.focus();
      this.input.setSelectionRange(caret, caret);
      this.input.dispatchEvent(new Event("input"));
    } catch (failure) {
      toast(errorText(failure), "error");
    }
  }

  openFromButton() {
    const el = this.input;
    const start = el.selectionStart ?? el.value.length;
    const needsSpace = start > 0 && !/\s/.test(el.value[start - 1]);
    const insert = `${needsSpace ? " " : ""}/`;
    el.value = el.value.slice(0, start) + insert + el.value.slice(start);
    el.focus();
    el.setSelectionRange(start + insert.length, start + insert.length);
    this.update();
  }

  close() {
    this.token = null;
    this.el.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}

// --- the management page ------------------------------------------------------------------

export function renderCannedPage(root) {
  const page = { replies: [], editing: null, filter: "" };
  const listEl = h("ul.canned-list", { "aria-label": t("console.canned.list_label") });
  const editorEl = h("section.canned-editor", { "aria-label": t("console.canned.editor_label") });
  const filter = h("input.search", { type: "search", placeholder: t("console.canned.filter"), "aria-label": t("console.canned.filter") });
  filter.addEventListener("input", () => {
    page.filter = filter.value.trim().toLowerCase();
    paintList();
  });
  replace(
    root,
    h(
      "div.canned-page",
      h(
        "aside.canned-side",
        h("div.canned-side-head", h("h1", t("console.canned.title")), h("button.btn.btn-primary.btn-sm", { type: "button", id: "canned-new", onclick: () => edit(null) }, t("console.canned.new"))),
        filter,
        listEl,
      ),
      editorEl,
    ),
  );

  async function refresh(selectId) {
    try {
      page.replies = await cannedReplies({ fresh: true });
    } catch (failure) {
      replace(listEl, h("li.error-state", errorText(failure)));
      return;
    }
    paintList();
    const chosen = page.replies.find((r) => r.id === selectId);
    if (chosen) edit(chosen);
    else if (!page.editing) editorEl.replaceChildren(h("div.canned-blank", h("h2", t("console.canned.blank_title")), h("p.muted", t("console.canned.blank_text")), placeholderHelp(null)));
  }

  function paintList() {
    const shown = page.replies
      .filter((r) => !page.filter || r.shortcut.includes(page.filter) || r.title.toLowerCase().includes(page.filter))
      .sort((a, b) => a.shortcut.localeCompare(b.shortcut));
    if (!shown.length) {
      replace(listEl, h("li.canned-empty", page.replies.length ? t("console.canned.no_match") : t("console.canned.none_yet")));
      return;
    }
    replace(
      listEl,
      shown.map((r) =>
        h("li", h("button.canned-item", {
          type: "button", "aria-current": page.editing && page.editing.id === r.id ? "true" : null, onclick: () => edit(r),
        }, h("span.canned-shortcut", `/${r.shortcut}`), h("span.canned-title", r.title),
        h("span.canned-locales", Object.keys(r.bodies).join(" · ")))),
      ),
    );
  }

  function edit(reply) {
    page.editing = reply || { id: null, shortcut: "", title: "", bodies: { en: "" } };
    paintList();
    editorEl.replaceChildren(editorForm(page.editing, {
      onSaved: (saved) => { invalidate(); page.editing = saved; refresh(saved.id); },
      onDeleted: () => { invalidate(); page.editing = null; refresh(); },
    }));
  }

  refresh();
}

function editorForm(reply, { onSaved, onDeleted }) {
  const bodies = { ...reply.bodies };
  const locales = [...new Set([...BASE_LOCALES, ...Object.keys(bodies)])];
  let current = Object.keys(bodies)[0] || "en";
  const errors = {};
  const fieldError = (name) => (errors[name] = h("p.field-error", { role: "alert", hidden: true, id: `err-${name}` }));
  const shortcut = h("input", { id: "canned-shortcut", value: reply.shortcut, maxlength: "32", autocomplete: "off", "aria-describedby": "err-shortcut", spellcheck: "false" });
  const title = h("input", { id: "canned-title", value: reply.title, maxlength: "200", "aria-describedby": "err-title" });
  const body = h("textarea", { id: "canned-body", rows: 8, "aria-describedby": "err-body" });
  const tabs = h("div.locale-tabs", { role: "tablist", "aria-label": t("console.canned.variants") });
  const addLocale = h("select.add-locale", { "aria-label": t("console.canned.add_locale") });
  addLocale.addEventListener("change", () => {
    const tag = addLocale.value;
    if (!tag) return;
    if (!locales.includes(tag)) locales.push(tag);
    switchTo(tag);
  });
  body.addEventListener("input", () => {
    bodies[current] = body.value;
    paintTabs();
  });

  function switchTo(tag) {
    bodies[current] = body.value;
    if (!bodies[current]) delete bodies[current];
    current = tag;
    body.value = bodies[tag] || "";
    body.lang = tag;
    paintTabs();
    body.focus();
  }

  function paintTabs() {
    replace(
      tabs,
      locales.map((tag) =>
        h("button.locale-tab", {
          type: "button", role: "tab", "aria-selected": String(tag === current), dataset: { locale: tag },
          class: bodies[tag] ? "filled" : "", onclick: () => switchTo(tag),
        }, localeLabel(tag), bodies[tag] ? null : h("span.muted", " ∅")),
      ),
    );
    replace(
      addLocale,
      h("option", { value: "" }, t("console.canned.add_locale")),
      ["pt", "pt-BR", "fr", "de", "it", "ja", "ko", "zh-Hant", "ru", "tr", "vi", "id", "th", "ar"]
        .filter((tag) => !locales.includes(tag))
        .map((tag) => h("option", { value: tag }, localeLabel(tag))),
    );
  }

  function insertPlaceholder(name) {
    const token = `{{${name}}}`;
    const start = body.selectionStart ?? body.value.length;
    body.value = body.value.slice(0, start) + token + body.value.slice(body.selectionEnd ?? start);
    body.focus();
    body.setSelectionRange(start + token.length, start + token.length);
    bodies[current] = body.value;
    paintTabs();
  }

  const save = h("button.btn.btn-primary", { type: "submit", id: "canned-save" }, t("console.canned.save"));
  const remove = reply.id ? h("button.btn.btn-danger-ghost", { type: "button", id: "canned-delete", onclick: () => confirmDelete() }, t("console.canned.delete")) : null;
  const formError = h("p.field-error", { role: "alert", hidden: true });
  const form = h(
    "form.canned-form",
    { novalidate: true },
    h("h2", reply.id ? t("console.canned.edit_title", { shortcut: reply.shortcut }) : t("console.canned.new_title")),
    h("div.field-row",
      h("label.field", { for: "canned-shortcut" }, h("span", t("console.canned.shortcut")), h("div.shortcut-input", h("span.slash", "/"), shortcut), h("small.muted", t("console.canned.shortcut_hint")), fieldError("shortcut")),
      h("label.field.grow", { for: "canned-title" }, h("span", t("console.canned.title_field")), title, fieldError("title"))),
    h("div.field", h("span.field-label", t("console.canned.body")), h("div.locale-bar", tabs, addLocale), body, fieldError("body")),
    placeholderHelp(insertPlaceholder),
    formError,
    h("div.form-actions", save, remove),
  );
  body.value = bodies[current] || "";
  paintTabs();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    bodies[current] = body.value;
    for (const el of Object.values(errors)) el.hidden = true;
    formError.hidden = true;
    const clean = Object.fromEntries(Object.entries(bodies).filter(([, v]) => v && v.trim()));
    const payload = { shortcut: shortcut.value.trim().replace(/^\//, "").toLowerCase(), title: title.value.trim(), bodies: clean };
    let bad = false;
    if (!/^[a-z0-9_-]{1,32}$/.test(payload.shortcut)) bad = show("shortcut", t("console.canned.bad_shortcut"));
    if (!payload.title) bad = show("title", t("console.canned.need_title"));
    if (!Object.keys(clean).length) bad = show("body", t("console.canned.need_body"));
    if (bad) return;
    save.disabled = true;
    try {
      const saved = reply.id ? await patch(`/canned-replies/${reply.id}`, payload) : await post("/canned-replies", payload);
      toast(t("console.canned.saved", { shortcut: saved.shortcut }), "success");
      onSaved(saved);
    } catch (failure) {
      serverError(failure);
    } finally {
      save.disabled = false;
    }
  });

  function show(name, text) {
    errors[name].textContent = text;
    errors[name].hidden = false;
    return true;
  }

  function serverError(failure) {
    if (failure.code === "shortcut_taken") return show("shortcut", t("console.canned.shortcut_taken"));
    if (failure.code === "unknown_placeholder") return show("body", t("console.canned.unknown_placeholder", { detail: failure.message }));
    if (failure.code === "invalid" && failure.details) {
      for (const d of failure.details) {
        const field = d.loc && d.loc[1] === "bodies" ? "body" : d.loc && d.loc[1];
        if (errors[field]) show(field, d.msg);
        else { formError.textContent = `${(d.loc || []).join(".")}: ${d.msg}`; formError.hidden = false; }
      }
      return true;
    }
    formError.textContent = errorText(failure);
    formError.hidden = false;
    return true;
  }

  function confirmDelete() {
    const { close } = openDialog({
      title: t("console.canned.delete_title", { shortcut: reply.shortcut }),
      body: h("p", t("console.canned.delete_text")),
      actions: [
        h("button.btn.btn-ghost", { type: "button", onclick: () => close() }, t("console.dialog.cancel")),
        h("button.btn.btn-danger", { type: "button", id: "canned-confirm-delete", onclick: async () => {
          try {
            await del(`/canned-replies/${reply.id}`);
            close();
            toast(t("console.canned.deleted", { shortcut: reply.shortcut }), "success");
            onDeleted();
          } catch (failure) {
            close();
            toast(errorText(failure), "error");
          }
        } }, t("console.canned.delete")),
      ],
    });
  }
  return form;
}

function placeholderHelp(insert) {
  return h(
    "div.placeholder-help",
    h("p", h("strong", t("console.canned.placeholders")), " ", h("span.muted", t("console.canned.placeholders_hint"))),
    h("div.placeholder-chips", PLACEHOLDERS.map((name) =>
      insert
        ? h("button.chip", { type: "button", title: t(`console.placeholder.${name.replace(".", "_")}`), onclick: () => insert(name) }, `{{${name}}}`)
        : h("span.chip", { title: t(`console.placeholder.${name.replace(".", "_")}`) }, `{{${name}}}`))),
    h("dl.placeholder-list", PLACEHOLDERS.map((name) => [h("dt", `{{${name}}}`), h("dd", t(`console.placeholder.${name.replace(".", "_")}`))])),
  );
}

export function localeLabel(tag) {
  try {
    const names = new Intl.DisplayNames([state.tr.locale], { type: "language" });
    return `${names.of(tag)} (${tag})`;
  } catch {
    return tag;
  }
}
