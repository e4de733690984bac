// The help-center article editor: one translation at a time, the locale switcher, the
// English source beside a translation, and the server-rendered preview.
//
// The preview is the HTML of POST /help/preview (the public pages' renderer and sanitiser),
// shown in an <iframe sandbox=""> through srcdoc: the frame runs no script, has an opaque
// origin and inherits the console's CSP, and this code never parses that HTML itself.
import { del, get, post, put } from "./api.js";
import { localeLabel } from "./canned.js";
import { openDialog } from "./dialog.js";
import { h, replace, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { canDelete, categoryName, helpHash, navigate, stateChip, stateLabel } from "./help.js";
import { state, t } from "./store.js";

const SOURCE = "en";
const KEY_RE = /^[a-z0-9][a-z0-9-]{0,99}$/;
const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const LOCALE_RE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const BODY_CHARS = 200000;
const SUGGESTED = ["zh-Hans", "zh-Hant", "es", "es-419", "pt-BR", "fr", "de", "ja", "ko", "ru", "tr", "vi", "id", "th", "ar"];

/** A BCP 47 tag in its usual case, or null: "ZH-hant" → "zh-Hant". */
export function canonicalTag(value) {
  try {
    const [tag] = Intl.getCanonicalLocales(value.trim());
    return tag && tag.length <= 35 && LOCALE_RE.test(tag) ? tag : null;
  } catch {
    return null;
  }
}

function slugify(title) {
  return title.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** Render the editor of ``key`` (null: a new article) in ``locale``; returns the guard's handle. */
export function renderEditor(root, { key, locale, hash }) {
  const ed = { key, locale, hash, article: null, categories: [], snapshot: null, loaded: false };
  replace(root, h("div.help-page", h("p.muted", t("console.loading"))));
  Promise.all([key ? get(`/help/articles/${encodeURIComponent(key)}/translations`) : null, get("/help/categories")]).then(
    ([article, categories]) => {
      ed.article = article;
      ed.categories = categories;
      // Tags are case-insensitive: "#/help/edit/kyc/ZH-hant" edits the zh-Hant translation.
      const known = Object.keys(article?.states || {}).find((tag) => tag.toLowerCase() === ed.locale.toLowerCase());
      if (known) ed.locale = known;
      paintEditor(root, ed);
    },
    (failure) => replace(root, h("div.help-page",
      h("a.help-back", { href: helpHash() }, t("console.help.back")),
      h("p.error-state", { role: "alert" }, failure.code === "article_not_found" ? t("console.help.not_found", { key }) : errorText(failure)))),
  );
  return { hash, dirty: () => ed.loaded && ed.snapshot !== ed.read() };
}

function paintEditor(root, ed) {
  const isNew = !ed.article;
  const translations = new Map((ed.article?.translations || []).map((tr) => [tr.locale, tr]));
  const current = translations.get(ed.locale) || null;
  const source = translations.get(SOURCE) || null;
  const stateNow = current ? ed.article.states[ed.locale] : "missing";
  const isTranslation = ed.locale !== SOURCE;

  // --- fields ---
  const errs = errorSlots();
  const fieldError = errs.slot;
  const keyInput = isNew ? h("input", { id: "help-key", maxlength: "100", autocomplete: "off", spellcheck: "false", "aria-describedby": "help-key-hint help-err-key" }) : null;
  const title = h("input", { id: "help-title", maxlength: "300", lang: ed.locale, value: current?.title || "", placeholder: isTranslation && source ? source.title : "", "aria-describedby": "help-err-title" });
  const category = h("input", { id: "help-category", list: "help-category-list", maxlength: "64", autocomplete: "off", spellcheck: "false", value: ed.article?.category || "", "aria-describedby": "help-category-hint help-err-category" });
  const categoryList = h("datalist", { id: "help-category-list" }, ed.categories.map((c) => h("option", { value: c.slug }, categoryName(c))));
  // The section's choices are those of the category typed above; a new slug creates one.
  const section = h("input", { id: "help-section", list: "help-section-list", maxlength: "64", autocomplete: "off", spellcheck: "false", value: ed.article?.section || "", "aria-describedby": "help-section-hint help-err-section" });
  const sectionList = h("datalist", { id: "help-section-list" });
  const fillSections = () => {
    const chosen = ed.categories.find((c) => c.slug === category.value.trim());
    replace(sectionList, ...(chosen?.sections || []).map((s) => h("option", { value: s.slug }, categoryName(s))));
  };
  fillSections();
  category.addEventListener("input", fillSections);
  const tags = h("input", { id: "help-tags", autocomplete: "off", value: (ed.article?.tags || []).join(", "), "aria-describedby": "help-tags-hint help-err-tags" });
  const questions = h("textarea", { id: "help-questions", rows: 3, lang: ed.locale, "aria-describedby": "help-questions-hint help-err-questions" });
  questions.value = (current?.questions || []).join("\n");
  const body = h("textarea.help-body", { id: "help-body", rows: 18, lang: ed.locale, spellcheck: "true", "aria-describedby": "help-body-hint help-err-body" });
  body.value = current?.body || "";

  ed.read = () => JSON.stringify([keyInput?.value.trim() || "", title.value.trim(), category.value.trim(), section.value.trim(), tags.value.split(",").map((x) => x.trim()).filter(Boolean), lines(questions.value), body.value.trim()]);
  ed.snapshot = ed.read();
  ed.loaded = true;

  if (keyInput) {
    let keyTouched = false;
    keyInput.addEventListener("input", () => { keyTouched = Boolean(keyInput.value); });
    title.addEventListener("input", () => { if (!keyTouched) keyInput.value = slugify(title.value); });
  }

  // --- the preview and the English source ---
  const preview = livePreview(ed, title, body);
  const sourcePanel = isTranslation ? sourceView(source, stateNow, body) : null;
  const side = sideTabs(preview.frame, preview.note, sourcePanel, stateNow);

  // --- actions ---
  const published = current?.status === "published";
  const buttons = [];
  const primary = h("button.btn.btn-primary", { type: "button", id: published ? "help-update" : "help-publish", onclick: () => save("published") }, published ? t("console.help.update") : t("console.help.publish"));
  const secondary = published
    ? h("button.btn.btn-ghost", { type: "button", id: "help-unpublish", onclick: () => save("draft") }, t("console.help.unpublish"))
    : h("button.btn.btn-ghost", { type: "button", id: "help-save-draft", onclick: () => save("draft") }, t("console.help.save_draft"));
  buttons.push(secondary, primary);
  if (canDelete() && !isNew) {
    buttons.push(h("button.btn.btn-danger-ghost.help-delete", { type: "button", id: "help-delete", onclick: () => confirmDelete(ed, current) }, t("console.help.delete")));
  }
  const savedText = current ? t(published ? "console.help.status_published" : "console.help.status_draft", { when: state.tr.dateTime(new Date(current.updated_at)) }) : t("console.help.status_new");
  const statusLine = h("p.help-status-line.muted", { id: "help-status-line", role: "status" }, savedText);

  async function save(status) {
    errs.clear();
    const articleKey = isNew ? keyInput.value.trim() : ed.key;
    const slug = category.value.trim();
    const sectionSlug = section.value.trim();
    const payload = {
      title: title.value.trim(),
      body: body.value.trim(),
      questions: lines(questions.value),
      status,
      tags: tags.value.split(",").map((x) => x.trim()).filter(Boolean),
      category: slug || null,
      section: sectionSlug || null,
    };
    let bad = false;
    if (isNew && !KEY_RE.test(articleKey)) bad = errs.show("key", t("console.help.bad_key"));
    if (!payload.title) bad = errs.show("title", t("console.help.need_title"));
    if (!payload.body) bad = errs.show("body", t("console.help.need_body"));
    if (payload.body.length > BODY_CHARS) bad = errs.show("body", t("console.help.too_long", { max: BODY_CHARS }));
    if (slug && !SLUG_RE.test(slug)) bad = errs.show("category", t("console.help.bad_category"));
    if (sectionSlug && !SLUG_RE.test(sectionSlug)) bad = errs.show("section", t("console.help.bad_section"));
    else if (sectionSlug && !slug) bad = errs.show("section", t("console.help.section_needs_category"));
    if (bad) {
      root.querySelector(".field-error:not([hidden])")?.closest(".field")?.querySelector("input, textarea")?.focus();
      return;
    }
    const path = `/help/articles/${encodeURIComponent(articleKey)}/translations/${encodeURIComponent(ed.locale)}`;
    for (const b of buttons) b.disabled = true;
    try {
      // PUT would replace an existing article's text: a new one needs a key nobody uses.
      if (isNew && (await keyInUse(articleKey))) {
        errs.show("key", t("console.help.key_taken"));
        keyInput.focus();
        return;
      }
      // A clean form only changes the status: the dedicated call says exactly that.
      const clean = current && ed.snapshot === ed.read();
      const article = clean ? await post(`${path}/${status === "published" ? "publish" : "unpublish"}`) : await put(path, payload);
      ed.snapshot = ed.read();
      const message = status === "draft" ? "console.help.saved_draft" : published ? "console.help.saved" : "console.help.saved_published";
      toast(t(message, { title: payload.title }), "success");
      ed.article = article;
      ed.key = article.key;
      const saved = article.translations.find((tr) => tr.locale.toLowerCase() === ed.locale.toLowerCase());
      const next = helpHash(article.key, saved ? saved.locale : ed.locale);
      if (next !== location.hash) navigate(next, { force: true });
      else {
        ed.locale = saved ? saved.locale : ed.locale;
        paintEditor(root, ed);
      }
    } catch (failure) {
      errs.failure(failure);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  // --- layout ---
  const field = (id, label, control, ...rest) => h("div.field", h("label.field-label", { for: id }, label), control, ...rest);
  const heading = isNew ? t("console.help.new_title") : current?.title || source?.title || ed.key;
  const form = h("form.help-form", { novalidate: true, "aria-label": t("console.help.editor_label") },
    field("help-title", t("console.help.title_field"), title, fieldError("title")),
    isNew ? field("help-key", t("console.help.key"), keyInput, h("small.muted", { id: "help-key-hint" }, t("console.help.key_hint")), fieldError("key")) : null,
    h("div.field-row.help-shared",
      field("help-category", t("console.help.category"), category, categoryList, h("small.muted", { id: "help-category-hint" }, t("console.help.category_hint")), fieldError("category")),
      field("help-section", t("console.help.section"), section, sectionList, h("small.muted", { id: "help-section-hint" }, t("console.help.section_hint")), fieldError("section"))),
    h("div.field-row.help-shared",
      field("help-tags", t("console.help.tags"), tags, h("small.muted", { id: "help-tags-hint" }, t("console.help.tags_hint")), fieldError("tags"))),
    field("help-questions", t("console.help.questions"), questions, h("small.muted", { id: "help-questions-hint" }, t("console.help.questions_hint")), fieldError("questions")),
    field("help-body", t("console.help.body"), body, mediaTools(body), h("small.muted", { id: "help-body-hint" }, t("console.help.body_hint")), fieldError("body")),
    errs.form,
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", () => {
    const dirty = ed.snapshot !== ed.read();
    statusLine.textContent = dirty ? t("console.help.unsaved") : savedText;
    statusLine.classList.toggle("help-unsaved", dirty);
  });
  form.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault(); // Ctrl+S saves, keeping the status it has
      save(published ? "published" : "draft");
    }
  });

  replace(root,
    h("div.help-page.help-editor", { dataset: { key: ed.key || "", locale: ed.locale } },
      h("div.help-editor-head",
        h("a.help-back", { href: helpHash() }, t("console.help.back")),
        h("h1", { lang: current || !source ? ed.locale : SOURCE }, heading),
        isNew ? null : stateChip(stateNow),
        h("div.help-actions", buttons),
        statusLine),
      isNew ? null : localeSwitcher(ed),
      banner(ed, stateNow, current, source),
      h("div.help-columns", form, side)),
  );
}

/** The error under each field (``slot``) and one for the form; ``failure`` places an API error. */
function errorSlots() {
  const slots = {};
  const form = h("p.field-error", { role: "alert", hidden: true, id: "help-form-error" });
  const show = (name, text) => {
    const el = slots[name] || form;
    el.textContent = text;
    el.hidden = false;
    return true;
  };
  return {
    form,
    show,
    slot: (name) => (slots[name] = h("p.field-error", { role: "alert", hidden: true, id: `help-err-${name}` })),
    clear: () => [form, ...Object.values(slots)].forEach((el) => { el.hidden = true; }),
    failure(failure) {
      if (failure.code === "invalid" && failure.details) {
        for (const d of failure.details) {
          // ["body", "tags", 1]: the request body's field; ["path", "key"]: the address's.
          const loc = d.loc || [];
          const field = loc[0] === "path" ? (loc[1] === "locale" ? null : "key") : loc[1];
          show(slots[field] ? field : null, slots[field] ? d.msg : `${loc.slice(1).join(".")}: ${d.msg}`);
        }
        return;
      }
      if (failure.code === "invalid_key") return show("key", t("console.help.bad_key"));
      if (failure.code === "concurrent_change") return show(null, t("console.help.concurrent"));
      show(null, errorText(failure));
    },
  };
}

function confirmDelete(ed, current) {
  const language = localeLabel(ed.locale);
  const articlePath = `/help/articles/${encodeURIComponent(ed.key)}`;
  const doDelete = async (path, message) => {
    try {
      await del(path);
      close();
      toast(message, "success");
      ed.snapshot = ed.read();
      navigate(helpHash(), { force: true });
    } catch (failure) {
      close();
      toast(errorText(failure), "error");
    }
  };
  const { close } = openDialog({
    title: t("console.help.delete_title", { key: ed.key }),
    body: [h("p", current ? t("console.help.delete_text_translation", { language }) : null), h("p", t("console.help.delete_text_article"))],
    actions: [
      h("button.btn.btn-ghost", { type: "button", onclick: () => close() }, t("console.dialog.cancel")),
      current ? h("button.btn.btn-danger-ghost", { type: "button", id: "help-confirm-delete-translation", onclick: () => doDelete(`${articlePath}/translations/${encodeURIComponent(ed.locale)}`, t("console.help.deleted_translation", { language })) }, t("console.help.delete_translation", { locale: ed.locale })) : null,
      h("button.btn.btn-danger", { type: "button", id: "help-confirm-delete-article", onclick: () => doDelete(articlePath, t("console.help.deleted_article", { key: ed.key })) }, t("console.help.delete_article")),
    ],
  });
}

/** The sandboxed preview frame, refreshed from POST /help/preview as the text changes. */
function livePreview(ed, title, body) {
  const frame = h("iframe.help-preview-frame", { id: "help-preview", sandbox: "", title: t("console.help.preview_frame"), referrerpolicy: "no-referrer" });
  const note = h("p.help-preview-note.muted", { role: "status", "aria-live": "polite" });
  let seq = 0;
  let timer = null;
  async function refresh() {
    const mine = ++seq;
    if (body.value.length > BODY_CHARS) {
      note.textContent = t("console.help.too_long", { max: BODY_CHARS });
      return;
    }
    try {
      const result = await post("/help/preview", { markdown: body.value, title: title.value.slice(0, 300), locale: ed.locale });
      if (mine !== seq) return; // a later keystroke's preview is on its way
      frame.srcdoc = result.document;
      note.textContent = t("console.help.preview_note");
    } catch (failure) {
      if (mine === seq) note.textContent = errorText(failure);
    }
  }
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  body.addEventListener("input", schedule);
  title.addEventListener("input", schedule);
  refresh();
  return { frame, note };
}

async function keyInUse(key) {
  try {
    await get(`/help/articles/${encodeURIComponent(key)}/translations`);
    return true;
  } catch (failure) {
    if (failure.code === "article_not_found") return false;
    throw failure;
  }
}

function banner(ed, stateNow, current, source) {
  const language = localeLabel(ed.locale);
  if (stateNow === "outdated") {
    return h("p.help-banner.help-banner-outdated", { role: "note", id: "help-outdated" },
      h("strong", t("console.help.outdated_title")), " ",
      t("console.help.outdated_text", {
        source: state.tr.dateTime(new Date(source.updated_at)),
        translation: state.tr.dateTime(new Date(current.updated_at)),
      }));
  }
  if (!current && ed.article) {
    return h("p.help-banner", { role: "note" }, t(source ? "console.help.missing_text" : "console.help.missing_no_source", { language }));
  }
  return null;
}

function localeSwitcher(ed) {
  const states = ed.article.states;
  const add = h("input", { id: "help-add-locale", list: "help-locale-suggestions", autocomplete: "off", spellcheck: "false", placeholder: "zh-Hant, es-419…", maxlength: "35", "aria-describedby": "help-add-locale-error" });
  const suggestions = h("datalist", { id: "help-locale-suggestions" }, SUGGESTED.filter((tag) => !(tag in states)).map((tag) => h("option", { value: tag }, localeLabel(tag))));
  const error = h("p.field-error", { role: "alert", hidden: true, id: "help-add-locale-error" });
  const addForm = h("form.help-add-locale", { novalidate: true },
    h("label", { for: "help-add-locale" }, t("console.help.add_locale")), add, suggestions,
    h("button.btn.btn-ghost.btn-sm", { type: "submit", id: "help-add-locale-go" }, t("console.help.add_locale_go")), error);
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const tag = canonicalTag(add.value);
    if (!tag) {
      error.textContent = t("console.help.bad_locale");
      error.hidden = false;
      add.focus();
      return;
    }
    location.hash = helpHash(ed.key, tag);
  });
  const locales = Object.keys(states);
  if (!locales.includes(ed.locale)) locales.push(ed.locale);
  return h("nav.help-locales", { "aria-label": t("console.help.languages") },
    h("ul",
      locales.map((tag) => h("li", h("a.help-locale", {
        href: helpHash(ed.key, tag), "aria-current": tag === ed.locale ? "page" : null, lang: tag,
        dataset: { locale: tag },
        title: `${localeLabel(tag)}: ${stateLabel(states[tag] || "missing")}`,
      }, h("span.help-locale-name", localeLabel(tag)), stateChip(states[tag] || "missing"))))),
    addForm);
}

function sideTabs(frame, previewNote, sourcePanel, stateNow) {
  const previewPanel = h("div.help-panel", { id: "help-panel-preview", role: "tabpanel", "aria-labelledby": "help-tab-preview" }, frame, previewNote);
  if (!sourcePanel) {
    return h("section.help-side", { "aria-label": t("console.help.preview") }, h("h2.help-side-title", t("console.help.preview")), previewPanel);
  }
  sourcePanel.id = "help-panel-source";
  sourcePanel.setAttribute("role", "tabpanel");
  sourcePanel.setAttribute("aria-labelledby", "help-tab-source");
  const tabs = [
    h("button.locale-tab", { type: "button", role: "tab", id: "help-tab-source", "aria-controls": "help-panel-source" }, t("console.help.source_tab")),
    h("button.locale-tab", { type: "button", role: "tab", id: "help-tab-preview", "aria-controls": "help-panel-preview" }, t("console.help.preview")),
  ];
  const panels = [sourcePanel, previewPanel];
  function select(index, focus = false) {
    tabs.forEach((tab, n) => {
      tab.setAttribute("aria-selected", String(n === index));
      tab.tabIndex = n === index ? 0 : -1;
      panels[n].hidden = n !== index;
    });
    if (focus) tabs[index].focus();
  }
  tabs.forEach((tab, n) => {
    tab.addEventListener("click", () => select(n));
    tab.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        select((n + 1) % 2, true);
      }
    });
  });
  // Beside a missing or outdated translation, the English text is what the writer needs.
  select(stateNow === "missing" || stateNow === "outdated" ? 0 : 1);
  return h("section.help-side", { "aria-label": t("console.help.side_label") },
    h("div.locale-tabs", { role: "tablist", "aria-label": t("console.help.side_label") }, tabs),
    sourcePanel, previewPanel);
}

function sourceView(source, stateNow, body) {
  if (!source) return h("div.help-source", h("p.muted", t("console.help.no_source")));
  const copy = h("button.btn.btn-ghost.btn-sm", { type: "button", id: "help-copy-source", onclick: () => {
    body.value = source.body;
    body.dispatchEvent(new Event("input"));
    body.focus();
  } }, t("console.help.copy_source"));
  return h("div.help-source", { lang: SOURCE },
    h("p.help-source-meta.muted",
      t("console.help.source_meta", { when: state.tr.dateTime(new Date(source.updated_at)) }), " ",
      stateNow === "missing" ? copy : null),
    h("h3.help-source-title", { id: "help-source-title" }, source.title),
    source.questions.length ? h("ul.help-source-questions", { "aria-label": t("console.help.questions") }, source.questions.map((q) => h("li", q))) : null,
    h("pre.help-source-body", { id: "help-source-body", tabindex: "0", "aria-labelledby": "help-source-title" }, source.body),
  );
}

// --- media: upload images and MP4 videos, insert their Markdown at the cursor -----------

const VIDEO_TYPE = "video/mp4";

/** The "Insert image" / "Insert video" buttons under ``body``, and drops onto it. */
function mediaTools(body) {
  const status = h("span.help-media-status.muted", { id: "help-media-status", role: "status", "aria-live": "polite" });
  const picker = (id, accept, multiple) => h("input", { type: "file", id, accept, multiple, hidden: true });
  const imageInput = picker("help-insert-image-file", "image/png,image/jpeg,image/webp,image/gif", false);
  // A video and, optionally, an image chosen with it as its poster.
  const videoInput = picker("help-insert-video-file", `${VIDEO_TYPE},.mp4,image/png,image/jpeg,image/webp`, true);
  const upload = async (files) => {
    if (!files.length) return;
    status.textContent = t("console.help.uploading");
    try {
      insertAtCursor(body, await markdownFor(files));
      status.textContent = t("console.help.uploaded");
    } catch (failure) {
      status.textContent = errorText(failure);
      toast(errorText(failure), "error");
    }
  };
  imageInput.addEventListener("change", () => { upload([...imageInput.files]); imageInput.value = ""; });
  videoInput.addEventListener("change", () => { upload([...videoInput.files]); videoInput.value = ""; });
  body.addEventListener("dragover", (event) => {
    if ([...(event.dataTransfer?.types || [])].includes("Files")) {
      event.preventDefault();
      body.classList.add("help-drop");
    }
  });
  body.addEventListener("dragleave", () => body.classList.remove("help-drop"));
  body.addEventListener("drop", (event) => {
    const files = [...(event.dataTransfer?.files || [])];
    body.classList.remove("help-drop");
    if (!files.length) return;
    event.preventDefault();
    upload(files);
  });
  return h("div.help-media-tools",
    h("button.btn.btn-ghost.btn-sm", { type: "button", id: "help-insert-image", onclick: () => imageInput.click() }, t("console.help.insert_image")),
    h("button.btn.btn-ghost.btn-sm", { type: "button", id: "help-insert-video", onclick: () => videoInput.click() }, t("console.help.insert_video")),
    imageInput, videoInput, status);
}

async function uploadMedia(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return post("/help/media", form);
}

/** Upload ``files``; a video with an image beside it gets it as its poster (render.py's
 * ``[![poster](poster.jpg)](clip.mp4)``), other files one Markdown line each. */
async function markdownFor(files) {
  const isVideo = (file) => file.type === VIDEO_TYPE || /\.mp4$/i.test(file.name);
  const videos = files.filter(isVideo);
  const images = files.filter((file) => !isVideo(file));
  const parts = [];
  if (videos.length === 1 && images.length === 1) {
    const [video, poster] = await Promise.all([uploadMedia(videos[0]), uploadMedia(images[0])]);
    const label = video.filename.replace(/\.mp4$/i, "");
    parts.push(`[![${label}](${poster.url})](${video.url})`);
  } else {
    for (const file of files) parts.push((await uploadMedia(file)).markdown);
  }
  return parts.join("\n\n");
}

/** Insert ``text`` as its own paragraph at the cursor, as if typed (undo aside). */
function insertAtCursor(textarea, text) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const before = value.slice(0, start);
  const lead = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
  const trail = value.slice(end).startsWith("\n") ? "\n" : "\n\n";
  textarea.setRangeText(lead + text + trail, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
}
