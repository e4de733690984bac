// The left side: views with counts, and the conversation list for the chosen view. Rows are
// kept per conversation and moved, inserted or removed as events arrive.
import { get, query } from "./api.js";
import { avatar, clear, h, replace } from "./dom.js";
import {
  ACTIVE, STATUSES, contactFor, contactName, on, requestPreview, state, t,
} from "./store.js";
import { systemText } from "./messages.js";
import { durationShort } from "./time.js";

const SORT_KEY = "sd.console.sort";
const inbox = {
  view: { kind: "mine" },
  sort: localStorage.getItem(SORT_KEY) === "recent" ? "recent" : "waiting",
  q: "",
  ids: [],
  rows: new Map(),
  selected: null,
  loading: false,
  exhausted: false,
  generation: 0,
};

let sidebarEl, listEl, titleEl, sortEl, searchEl, emptyEl, moreEl;

export function currentView() {
  return inbox.view;
}

export function viewFromRoute(parts) {
  const [kind, arg] = parts;
  if (kind === "team" && arg) return { kind: "team", id: Number(arg) };
  if (kind === "status" && STATUSES.includes(arg)) return { kind: "status", status: arg };
  if (["mine", "unassigned", "all"].includes(kind)) return { kind };
  return { kind: "mine" };
}

export function viewHash(view) {
  if (view.kind === "team") return `#/inbox/team/${view.id}`;
  if (view.kind === "status") return `#/inbox/status/${view.status}`;
  return `#/inbox/${view.kind}`;
}

function sameView(a, b) {
  return a.kind === b.kind && a.id === b.id && a.status === b.status;
}

export function renderSidebar() {
  sidebarEl = h("nav.views", { "aria-label": t("console.views.label"), id: "views" });
  paintSidebar();
  on("counts", paintSidebar);
  on("teams", paintSidebar);
  return sidebarEl;
}

function viewLink(view, label, counts, extraClass = "") {
  const active = !inbox.q && sameView(view, inbox.view);
  const total = counts ? counts.total ?? counts : null;
  const unread = counts && typeof counts === "object" ? counts.unread : 0;
  return h(
    `a.view-link${extraClass}`,
    { href: viewHash(view), "aria-current": active ? "page" : null, dataset: { view: view.kind + (view.id || view.status || "") } },
    h("span.view-label", label),
    unread ? h("span.badge.badge-unread", { title: t("console.views.unread_title", { count: unread }) }, String(unread)) : null,
    total !== null && total !== undefined ? h("span.view-count", String(total)) : null,
  );
}

function paintSidebar() {
  if (!sidebarEl) return;
  const c = state.counts || {};
  const teams = [...state.teams.values()].sort((a, b) => a.name.localeCompare(b.name));
  replace(
    sidebarEl,
    h("h2.views-heading", t("console.views.conversations")),
    viewLink({ kind: "mine" }, t("console.views.mine"), c.mine),
    viewLink({ kind: "unassigned" }, t("console.views.unassigned"), c.unassigned),
    viewLink({ kind: "all" }, t("console.views.all"), c.all),
    teams.length ? h("h2.views-heading", t("console.views.teams")) : null,
    teams.map((team) => viewLink({ kind: "team", id: team.id }, team.name, c.teams ? c.teams[String(team.id)] || { total: 0, unread: 0 } : null)),
    h("h2.views-heading", t("console.views.by_status")),
    STATUSES.map((status) =>
      viewLink({ kind: "status", status }, t(`console.status.${status}`), c.statuses ? c.statuses[status] ?? 0 : null, `.status-link.status-${status}`),
    ),
  );
}

export function renderList() {
  titleEl = h("h2.list-title", { id: "list-title" });
  sortEl = h("button.btn.btn-ghost.btn-sm.sort-toggle", { type: "button", id: "sort-toggle" });
  sortEl.addEventListener("click", () => {
    inbox.sort = inbox.sort === "waiting" ? "recent" : "waiting";
    localStorage.setItem(SORT_KEY, inbox.sort);
    reload();
  });
  searchEl = h("input.search", {
    type: "search", id: "search", placeholder: t("console.search.placeholder"),
    "aria-label": t("console.search.label"), autocomplete: "off",
  });
  let timer = null;
  searchEl.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => setQuery(searchEl.value.trim()), 300);
  });
  searchEl.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      searchEl.value = "";
      setQuery("");
      searchEl.blur();
    } else if (event.key === "Enter") {
      clearTimeout(timer);
      setQuery(searchEl.value.trim());
    }
  });
  listEl = h("ul.conv-list", { id: "conversation-list", "aria-labelledby": "list-title" });
  emptyEl = h("div.list-empty", { hidden: true });
  moreEl = h("button.btn.btn-ghost.btn-block.load-more", { type: "button", hidden: true, onclick: () => loadMore() }, t("console.list.load_more"));
  on("conversation", onConversation);
  on("preview", (id) => paintRow(id));
  on("contact", (contact) => {
    for (const id of inbox.ids) if (state.conversations.get(id)?.contact_id === contact.id) paintRow(id);
  });
  on("agents", () => inbox.ids.forEach(paintRow));
  on("tab", () => inbox.ids.forEach((id) => inbox.rows.get(id)?.classList.toggle("open", id === openId())));
  setInterval(() => inbox.ids.forEach(paintTime), 30000);
  return h(
    "section.list-pane",
    { "aria-label": t("console.list.label") },
    h("div.list-head", h("div.search-wrap", searchEl), h("div.list-title-row", titleEl, sortEl)),
    h("div.list-scroll", listEl, emptyEl, moreEl),
  );
}

function openId() {
  const match = location.hash.match(/^#\/c\/(\d+)/);
  return match ? Number(match[1]) : state.activeConversation || null;
}

export function focusSearch() {
  searchEl.focus();
  searchEl.select();
}

export function setView(view) {
  if (sameView(view, inbox.view) && !inbox.q && inbox.ids.length) return;
  inbox.view = view;
  inbox.q = "";
  if (searchEl) searchEl.value = "";
  paintSidebar();
  reload();
}

function setQuery(q) {
  if (q === inbox.q) return;
  inbox.q = q;
  paintSidebar();
  reload();
}

function params(before) {
  const p = { sort: inbox.sort, limit: 50, before };
  if (inbox.q) return { ...p, q: inbox.q };
  const v = inbox.view;
  if (v.kind === "status") return { ...p, status: v.status };
  p.active = "true";
  if (v.kind === "mine") p.assignee = "me";
  if (v.kind === "unassigned") p.assignee = "none";
  if (v.kind === "team") p.team_id = v.id;
  return p;
}

function matches(c) {
  if (inbox.q) return inbox.ids.includes(c.id);
  const v = inbox.view;
  if (v.kind === "status") return c.status === v.status;
  if (!ACTIVE.has(c.status)) return false;
  if (v.kind === "mine") return c.assignee_id === state.me.id;
  if (v.kind === "unassigned") return c.assignee_id === null;
  if (v.kind === "team") return c.team_id === v.id;
  return true;
}

function compare(a, b) {
  if (inbox.sort === "waiting") {
    const wa = a.waiting_since ? Date.parse(a.waiting_since) : Infinity;
    const wb = b.waiting_since ? Date.parse(b.waiting_since) : Infinity;
    if (wa !== wb) return wa - wb;
  }
  return Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id;
}

function sortIds() {
  inbox.ids.sort((x, y) => compare(state.conversations.get(x), state.conversations.get(y)));
}

export async function reload() {
  const generation = ++inbox.generation;
  paintHead();
  inbox.loading = true;
  listEl.setAttribute("aria-busy", "true");
  try {
    const rows = await get(`/conversations${query(params())}`);
    if (generation !== inbox.generation) return;
    inbox.ids = [];
    inbox.rows.clear();
    clear(listEl);
    inbox.exhausted = rows.length < 50;
    addRows(rows);
  } catch (failure) {
    if (generation === inbox.generation) showEmpty(t("console.error.generic", { code: failure.code }));
  } finally {
    if (generation === inbox.generation) {
      inbox.loading = false;
      listEl.removeAttribute("aria-busy");
    }
  }
}

async function loadMore() {
  const last = state.conversations.get(inbox.ids[inbox.ids.length - 1]);
  if (!last || inbox.loading) return;
  inbox.loading = true;
  try {
    const rows = await get(`/conversations${query(params(last.updated_at))}`);
    inbox.exhausted = rows.length < 50;
    addRows(rows.filter((c) => !inbox.ids.includes(c.id)));
  } finally {
    inbox.loading = false;
  }
}

function addRows(rows) {
  for (const conversation of rows) {
    const merged = { ...(state.conversations.get(conversation.id) || {}), ...conversation };
    state.conversations.set(conversation.id, merged);
    inbox.ids.push(conversation.id);
  }
  if (!inbox.q && inbox.sort === "waiting") sortIds();
  for (const id of inbox.ids) listEl.append(rowFor(id));
  afterChange();
}

function afterChange() {
  const none = inbox.ids.length === 0;
  if (none) showEmpty(inbox.q ? t("console.list.no_results", { q: inbox.q }) : t("console.list.empty"));
  else emptyEl.hidden = true;
  moreEl.hidden = none || inbox.exhausted || inbox.sort !== "recent" || Boolean(inbox.q);
  if (inbox.selected && !inbox.ids.includes(inbox.selected)) inbox.selected = null;
}

function showEmpty(text) {
  replace(emptyEl, h("div.empty-illustration", { "aria-hidden": "true" }), h("p", text));
  emptyEl.hidden = false;
}

function paintHead() {
  const v = inbox.view;
  let title;
  if (inbox.q) title = t("console.search.results", { q: inbox.q });
  else if (v.kind === "team") title = state.teams.get(v.id)?.name || t("console.views.team");
  else if (v.kind === "status") title = t(`console.status.${v.status}`);
  else title = t(`console.views.${v.kind}`);
  titleEl.textContent = title;
  sortEl.textContent = inbox.sort === "waiting" ? t("console.list.sort_waiting") : t("console.list.sort_recent");
  sortEl.title = t("console.list.sort_hint");
  sortEl.setAttribute("aria-label", t("console.list.sort_label", { sort: sortEl.textContent }));
}

function onConversation({ conversation }) {
  const id = conversation.id;
  const present = inbox.ids.includes(id);
  const wanted = matches(conversation);
  if (present && !wanted) {
    inbox.ids = inbox.ids.filter((x) => x !== id);
    inbox.rows.get(id)?.remove();
    inbox.rows.delete(id);
    afterChange();
    return;
  }
  if (!wanted) return;
  if (!present) inbox.ids.push(id);
  if (!inbox.q) sortIds();
  const row = rowFor(id);
  paintRow(id);
  const index = inbox.ids.indexOf(id);
  const next = inbox.rows.get(inbox.ids[index + 1]);
  if (row.nextElementSibling !== (next || null) || !row.isConnected) {
    listEl.insertBefore(row, next && next.isConnected ? next : null);
  }
  afterChange();
}

function rowFor(id) {
  let row = inbox.rows.get(id);
  if (!row) {
    row = h("li.conv-row", { dataset: { id: String(id) } });
    inbox.rows.set(id, row);
    paintRow(id);
  }
  return row;
}

function paintRow(id) {
  const row = inbox.rows.get(id);
  const c = state.conversations.get(id);
  if (!row || !c) return;
  requestPreview(c);
  if (!state.contacts.has(c.contact_id)) contactFor(c.contact_id).catch(() => {});
  const name = contactName(c.contact_id);
  const preview = state.previews.get(id);
  let text = c.subject || "";
  let prefix = null;
  if (preview && preview.body !== undefined) {
    text = preview.system ? systemText({ body: preview.body, system: preview.system }) : preview.body;
    text = text || (preview.attachments ? t("console.list.attachment") : c.subject || "");
    if (preview.internal) prefix = h("span.preview-note", t("console.list.note_prefix"));
    else if (preview.senderType === "agent") prefix = h("span.preview-you", t("console.list.agent_prefix"));
  }
  const unread = c.unread || 0;
  const assignee = c.assignee_id ? state.agents.get(c.assignee_id) : null;
  row.classList.toggle("unread", unread > 0);
  row.classList.toggle("open", id === openId());
  row.classList.toggle("selected", id === inbox.selected);
  const link = h(
    "a.conv-link",
    { href: `#/c/${id}`, "aria-label": t("console.list.row_label", { name, id }) },
    avatar(name, c.contact_id),
    h(
      "div.conv-main",
      h(
        "div.conv-line",
        h("span.conv-name", name),
        h("span.lang-badge", { title: t("console.list.language") }, c.locale),
        priorityMarker(c.priority),
        h("span.conv-time", { dataset: { time: "1" } }),
      ),
      h("div.conv-line.conv-sub", h("span.conv-preview", prefix, text.replace(/\s+/g, " ").slice(0, 140)),
        unread ? h("span.badge.badge-unread.unread-count", { title: t("console.list.unread", { count: unread }) }, String(unread)) : null,
        assignee ? avatar(assignee.name, assignee.id, "xs") : null),
      h("div.conv-line.conv-meta", h("span.conv-id", `#${id}`), h("span.status-pill.status-" + c.status, t(`console.status.${c.status}`)),
        assignee ? h("span.muted", t("console.list.assigned_to", { name: assignee.name })) : h("span.muted", t("console.list.unassigned")),
        c.team_id && state.teams.get(c.team_id) ? h("span.team-chip", state.teams.get(c.team_id).name) : null),
    ),
  );
  replace(row, link);
  paintTime(id);
}

export function priorityMarker(priority) {
  if (priority !== "high" && priority !== "urgent") return null;
  return h(`span.priority-marker.priority-${priority}`, { title: t(`console.priority.${priority}`), "aria-label": t(`console.priority.${priority}`) }, "▲");
}

function paintTime(id) {
  const row = inbox.rows.get(id);
  const c = state.conversations.get(id);
  const el = row && row.querySelector("[data-time]");
  if (!el || !c) return;
  if (c.waiting_since && ACTIVE.has(c.status)) {
    el.textContent = durationShort(Date.now() - Date.parse(c.waiting_since));
    el.className = "conv-time waiting";
    el.title = t("console.list.waiting_since", { time: state.tr.dateTime(new Date(c.waiting_since)) });
  } else {
    const at = c.last_message_at || c.updated_at;
    el.textContent = durationShort(Date.now() - Date.parse(at));
    el.className = "conv-time";
    el.title = state.tr.dateTime(new Date(at));
  }
}

// Keyboard selection (j/k, Enter).
export function moveSelection(step) {
  if (!inbox.ids.length) return;
  const current = inbox.selected ?? openId();
  let index = inbox.ids.indexOf(current);
  index = index < 0 ? (step > 0 ? 0 : inbox.ids.length - 1) : Math.min(inbox.ids.length - 1, Math.max(0, index + step));
  const previous = inbox.rows.get(inbox.selected);
  previous?.classList.remove("selected");
  inbox.selected = inbox.ids[index];
  const row = inbox.rows.get(inbox.selected);
  row.classList.add("selected");
  row.scrollIntoView({ block: "nearest" });
}

export function openSelected() {
  if (inbox.selected) location.hash = `#/c/${inbox.selected}`;
}

export function hasSelection() {
  return inbox.selected !== null;
}

export function listedIds() {
  return inbox.ids;
}

