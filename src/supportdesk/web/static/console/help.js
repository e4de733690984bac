// Help center authoring (#/help): the article list with its filters, the route into the
// editor (help-editor.js), and the guard that keeps unsaved edits from being lost.
import { get, query } from "./api.js";
import { localeLabel } from "./canned.js";
import { openDialog } from "./dialog.js";
import { h, replace } from "./dom.js";
import { errorText } from "./errors.js";
import { renderEditor } from "./help-editor.js";
import { state, t } from "./store.js";

export const STATES = ["published", "draft", "outdated", "missing"];
const PAGE = 1000; // the API's largest page
const SHOWN = 200; // rows painted at once; "Show more" paints the next ones

let editor = null; // the open editor's {hash, dirty()}
let guardInstalled = false;

/** The "#/help…" hash of the list or of one translation's editor. */
export function helpHash(key, locale) {
  if (key === undefined) return "#/help";
  if (key === null) return "#/help/new";
  return `#/help/edit/${encodeURIComponent(key)}/${encodeURIComponent(locale || "en")}`;
}

export function stateLabel(value) {
  return t(`console.help.state.${value}`);
}

export function stateChip(value, locale) {
  const text = locale ? `${locale} · ${stateLabel(value)}` : stateLabel(value);
  return h(`span.help-chip.state-${value}`, { title: locale ? `${localeLabel(locale)}: ${stateLabel(value)}` : null }, text);
}

export function canDelete() {
  return state.me && (state.me.role === "admin" || state.me.role === "supervisor");
}

export function categoryName(category) {
  if (!category) return "";
  const names = category.names || {};
  return names[state.tr.locale] || names[state.tr.locale.split("-")[0]] || names.en || category.slug;
}

/**
 * Whether the console may leave the editor for ``nextHash`` now. With unsaved changes it
 * puts the editor's address back, asks, and goes on to ``nextHash`` only on "Discard".
 */
export function helpAllowsLeaving(nextHash) {
  if (!editor || nextHash === editor.hash || !editor.dirty()) return true;
  const { hash } = editor;
  // replaceState fires no hashchange: the editor stays as it is, edits included.
  history.replaceState(null, "", hash);
  if (document.getElementById("help-leave-dialog")) return false;
  const { dialog, close } = openDialog({
    title: t("console.help.leave_title"),
    body: h("p", t("console.help.leave_text")),
    actions: [
      h("button.btn.btn-ghost", { type: "button", id: "help-leave-stay", onclick: () => close() }, t("console.help.leave_stay")),
      h("button.btn.btn-danger", { type: "button", id: "help-leave-discard", onclick: () => {
        editor = null;
        close();
        location.hash = nextHash;
      } }, t("console.help.leave_discard")),
    ],
  });
  dialog.id = "help-leave-dialog";
  return false;
}

function installUnloadGuard() {
  if (guardInstalled) return;
  guardInstalled = true;
  window.addEventListener("beforeunload", (event) => {
    if (editor && editor.dirty() && location.hash.startsWith("#/help")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}

/** Render the view for the hash's ``parts`` after "#/help". */
export function renderHelpPage(root, parts) {
  installUnloadGuard();
  const hash = location.hash;
  const [what, rawKey, rawLocale] = parts;
  if (what === "new" || what === "edit") {
    const key = what === "new" ? null : decodeURIComponent(rawKey || "");
    const locale = decodeURIComponent(rawLocale || "en");
    editor = renderEditor(root, { key, locale, hash });
    return;
  }
  editor = null;
  renderList(root);
}

/** Go to ``hash`` and render it afresh; ``force`` drops the open editor's guard first
 * (after a save or a delete there is nothing to lose). */
export function navigate(hash, { force = false } = {}) {
  if (force) editor = null;
  if (location.hash === hash) renderHelpPage(document.querySelector(".help-host"), hash.replace(/^#\/help\/?/, "").split("/").filter(Boolean));
  else location.hash = hash;
}

// --- the list ----------------------------------------------------------------------------

const filters = { category: "", status: "", locale: "", text: "" };

async function loadAll() {
  const [categories, first] = await Promise.all([get("/help/categories"), get(`/help/articles${query({ limit: PAGE })}`)]);
  const articles = [...first.articles];
  while (articles.length < first.total) {
    const next = await get(`/help/articles${query({ limit: PAGE, offset: articles.length })}`);
    if (!next.articles.length) break;
    articles.push(...next.articles);
  }
  return { categories, locales: first.locales, articles };
}

function titleOf(article) {
  const en = article.translations.find((tr) => tr.locale === "en");
  return (en || article.translations[0] || { title: article.key }).title;
}

function matches(article, locales) {
  const f = filters;
  if (f.category === "-" ? article.category : f.category && article.category !== f.category) return false;
  if (f.status && !locales.some((tag) => article.states[tag] === f.status)) return false;
  if (f.text) {
    const haystack = [article.key, ...article.tags, ...article.translations.map((tr) => tr.title)].join("\n").toLowerCase();
    if (!haystack.includes(f.text)) return false;
  }
  return true;
}

function renderList(root) {
  const listEl = h("ul.help-list", { id: "help-list", "aria-label": t("console.help.list_label") });
  const countEl = h("p.help-count.muted", { role: "status", "aria-live": "polite" });
  const category = h("select", { id: "help-filter-category" });
  const status = h("select", { id: "help-filter-status" },
    h("option", { value: "" }, t("console.help.filter_any_status")),
    STATES.map((value) => h("option", { value, selected: value === filters.status }, stateLabel(value))));
  const locale = h("select", { id: "help-filter-locale" });
  const text = h("input.search", { type: "search", id: "help-filter-text", value: filters.text, placeholder: t("console.help.filter_text"), autocomplete: "off" });
  const data = { categories: [], locales: ["en"], articles: [] };
  let limit = SHOWN;

  replace(
    root,
    h("div.help-page",
      h("div.help-head",
        h("h1", t("console.help.title")),
        h("a.help-public-link", { href: "/help", target: "_blank", rel: "noopener" }, t("console.help.open_public")),
        h("a.btn.btn-primary.btn-sm", { href: helpHash(null), id: "help-new" }, t("console.help.new"))),
      h("div.help-filters", { role: "search", "aria-label": t("console.help.filters") },
        h("div.help-filter.grow", h("label", { for: "help-filter-text" }, t("console.help.filter_text_label")), text),
        h("div.help-filter", h("label", { for: "help-filter-category" }, t("console.help.category")), category),
        h("div.help-filter", h("label", { for: "help-filter-status" }, t("console.help.status")), status),
        h("div.help-filter", h("label", { for: "help-filter-locale" }, t("console.help.language")), locale)),
      countEl,
      listEl,
    ),
  );
  for (const [el, name] of [[category, "category"], [status, "status"], [locale, "locale"]]) {
    el.addEventListener("change", () => { filters[name] = el.value; limit = SHOWN; paint(); });
  }
  text.addEventListener("input", () => { filters.text = text.value.trim().toLowerCase(); limit = SHOWN; paint(); });

  function paintSelects() {
    replace(category,
      h("option", { value: "" }, t("console.help.filter_any_category")),
      data.categories.map((c) => h("option", { value: c.slug, selected: c.slug === filters.category }, categoryName(c))),
      h("option", { value: "-", selected: filters.category === "-" }, t("console.help.no_category")));
    replace(locale,
      h("option", { value: "" }, t("console.help.filter_any_language")),
      data.locales.map((tag) => h("option", { value: tag, selected: tag === filters.locale }, localeLabel(tag))));
  }

  function paint() {
    const locales = filters.locale ? [filters.locale] : data.locales;
    const names = new Map(data.categories.map((c) => [c.slug, categoryName(c)]));
    const shown = data.articles.filter((a) => matches(a, locales));
    countEl.textContent = state.tr.n("console.help.count", shown.length);
    if (!shown.length) {
      replace(listEl, h("li.help-empty", data.articles.length ? t("console.help.no_match") : t("console.help.none_yet")));
      return;
    }
    replace(listEl, shown.slice(0, limit).map((a) => articleRow(a, locales, names)));
    if (shown.length > limit) {
      listEl.append(h("li.help-more", h("button.btn.btn-ghost.btn-sm", { type: "button", onclick: () => { limit += SHOWN; paint(); } }, t("console.help.show_more"))));
    }
  }

  replace(listEl, h("li.help-empty", t("console.loading")));
  loadAll().then(
    (loaded) => {
      Object.assign(data, loaded);
      if (filters.locale && !data.locales.includes(filters.locale)) filters.locale = "";
      paintSelects();
      paint();
    },
    (failure) => replace(listEl, h("li.error-state", errorText(failure))),
  );
}

function articleRow(article, locales, names) {
  const english = article.translations.find((tr) => tr.locale === "en");
  const firstLocale = english ? "en" : article.translations[0]?.locale || "en";
  return h("li.help-row", { dataset: { key: article.key } },
    h("div.help-row-main",
      h("a.help-row-title", { href: helpHash(article.key, firstLocale), lang: firstLocale }, titleOf(article)),
      h("span.help-row-meta",
        h("code.help-key", article.key),
        article.category ? h("span.help-category", names.get(article.category) || article.category) : h("span.muted", t("console.help.no_category")),
        h("time.help-updated", { datetime: article.updated_at, title: state.tr.dateTime(new Date(article.updated_at)) }, t("console.help.updated", { when: state.tr.relative(new Date(article.updated_at)) })))),
    h("ul.help-states", { "aria-label": t("console.help.states_label") },
      locales.map((tag) => h("li", h("a.help-state-link", {
        href: helpHash(article.key, tag),
        "aria-label": t("console.help.state_link", { language: localeLabel(tag), state: stateLabel(article.states[tag] || "missing") }),
      }, stateChip(article.states[tag] || "missing", tag))))),
  );
}
