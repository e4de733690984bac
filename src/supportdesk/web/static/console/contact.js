// The right column: who the customer is, their local time, verification, custom
// attributes and their other conversations.
import { get } from "./api.js";
import { avatar, h, replace } from "./dom.js";
import { contactFor, contactName, on, state, t } from "./store.js";

let root = null;
let shownId = null;
let clockTimer = null;

export function renderContactPanel() {
  root = h("aside.contact-pane", { "aria-label": t("console.contact.label"), id: "contact-panel" });
  on("contact", (contact) => {
    if (contact.id === currentContactId()) paint();
  });
  on("conversation", ({ conversation }) => {
    if (conversation.id === shownId) paint();
  });
  on("tab", () => show(state.activeConversation));
  show(null);
  return root;
}

function currentContactId() {
  return state.conversations.get(shownId)?.contact_id;
}

export function show(conversationId) {
  shownId = conversationId;
  const c = state.conversations.get(conversationId);
  if (c) contactFor(c.contact_id).then(paint, () => {});
  paint();
}

let historyFor = null;
let historyRequest = null;

function paint() {
  clearInterval(clockTimer);
  const c = state.conversations.get(shownId);
  if (!c) {
    replace(root, h("div.pane-empty", h("p.muted", t("console.contact.none"))));
    return;
  }
  const contact = state.contacts.get(c.contact_id);
  // A contact known only from an inbox row (name and email) waits for the full record.
  if (!contact || contact.partial) {
    replace(root, h("div.pane-empty", h("p.muted", t("console.loading"))));
    return;
  }
  const localTime = h("span.local-time");
  const tick = () => {
    try {
      localTime.textContent = state.tr.time(new Date(), contact.timezone);
    } catch {
      localTime.textContent = "—";
    }
  };
  tick();
  clockTimer = setInterval(tick, 30000);
  const attributes = Object.entries(contact.attributes || {});
  const history = h("ul.history-list", { id: "contact-history" });
  replace(
    root,
    h("div.contact-card",
      avatar(contactName(contact.id), contact.id, "lg"),
      h("h2.contact-name", contactName(contact.id)),
      contact.is_verified
        ? h("span.verified.yes", { id: "contact-verified" }, "✔ ", t("console.contact.verified"))
        : h("span.verified.no", { id: "contact-verified" }, t("console.contact.not_verified"))),
    h("dl.contact-facts",
      fact(t("console.contact.email"), contact.email ? h("a", { href: `mailto:${contact.email}` }, contact.email) : h("span.muted", "—"), "contact-email"),
      fact(t("console.contact.language"), h("span", localeName(contact.locale), " ", h("span.lang-badge", contact.locale))),
      fact(t("console.contact.timezone"), contact.timezone || h("span.muted", "—")),
      fact(t("console.contact.local_time"), localTime),
      fact(t("console.contact.external_id"), contact.external_id ? h("code", contact.external_id) : h("span.muted", "—")),
      fact(t("console.contact.first_seen"), state.tr.dateTime(new Date(contact.created_at))),
      contact.last_seen_at ? fact(t("console.contact.last_seen"), state.tr.relative(new Date(contact.last_seen_at))) : null),
    h("h3.pane-heading", t("console.contact.attributes")),
    attributes.length
      ? h("dl.contact-attrs", { id: "contact-attributes" }, attributes.map(([k, v]) => [h("dt", k), h("dd", formatValue(v))]))
      : h("p.muted.small", { id: "contact-attributes" }, t("console.contact.no_attributes")),
    h("h3.pane-heading", t("console.contact.history")),
    history,
  );
  paintHistory(history, contact.id);
}

function fact(label, value, id) {
  return h("div.fact", { id }, h("dt", label), h("dd", value));
}

function formatValue(value) {
  if (typeof value === "boolean") return value ? t("console.contact.yes") : t("console.contact.no");
  return String(value);
}

function localeName(tag) {
  try {
    return new Intl.DisplayNames([state.tr.locale], { type: "language" }).of(tag);
  } catch {
    return tag;
  }
}

async function paintHistory(list, contactId) {
  if (historyFor !== contactId) {
    historyFor = contactId;
    historyRequest = get(`/contacts/${contactId}/conversations`).catch(() => []);
  }
  const historyRows = await historyRequest;
  if (!list.isConnected) return;
  const rows = historyRows.filter((c) => c.id !== shownId);
  if (!rows.length) {
    replace(list, h("li.muted.small", t("console.contact.no_history")));
    return;
  }
  replace(list, rows.map((c) => h("li", h("a.history-item", { href: `#/c/${c.id}` },
    h("span.history-id", `#${c.id}`),
    h("span.history-subject", c.subject || t("console.contact.no_subject")),
    h(`span.status-pill.status-${c.status}`, t(`console.status.${c.status}`)),
    h("span.history-date", state.tr.day(new Date(c.created_at)))))));
}

export function refreshHistory() {
  historyFor = null;
  if (shownId) paint();
}
