// The actions bar of a conversation: assign, transfer to a team with a note, priority,
// resolve / reopen. Every change is a PATCH; the event that follows repaints the view.
import { patch } from "./api.js";
import { openDialog } from "./dialog.js";
import { h, replace, toast } from "./dom.js";
import { errorText } from "./errors.js";
import { ACTIVE, PRIORITIES, putConversation, state, t } from "./store.js";

export const selfAssigned = new Set();

export async function updateConversation(id, changes) {
  try {
    if (changes.assignee_id === state.me.id) selfAssigned.add(id);
    const updated = await patch(`/conversations/${id}`, changes);
    putConversation(updated);
    return updated;
  } catch (failure) {
    toast(errorText(failure), "error", 7000);
    return null;
  }
}

export function renderActions(root, c) {
  const mine = c.assignee_id === state.me.id;
  const assignee = h("select.assignee-select", { "aria-label": t("console.actions.assignee"), id: `assignee-${c.id}` },
    h("option", { value: "" }, t("console.actions.unassigned")),
    [...state.agents.values()].filter((a) => a.is_active || a.id === c.assignee_id).sort((a, b) => a.name.localeCompare(b.name)).map((a) =>
      h("option", { value: String(a.id), selected: a.id === c.assignee_id }, `${a.name}${a.presence && a.presence !== "offline" ? ` · ${t(`console.presence.${a.presence}`)}` : ""}`)),
  );
  assignee.addEventListener("change", () => updateConversation(c.id, { assignee_id: assignee.value ? Number(assignee.value) : null }));
  const priority = h("select.priority-select", { "aria-label": t("console.actions.priority"), id: `priority-${c.id}`, class: `priority-${c.priority}` },
    PRIORITIES.map((p) => h("option", { value: p, selected: p === c.priority }, `⚑ ${t(`console.priority_short.${p}`)}`)));
  priority.addEventListener("change", () => updateConversation(c.id, { priority: priority.value }));
  const closed = c.status === "closed";
  replace(
    root,
    !mine && !closed ? h("button.btn.btn-ghost.btn-sm", { type: "button", id: `assign-me-${c.id}`, onclick: () => updateConversation(c.id, { assignee_id: state.me.id }) }, t("console.actions.assign_me")) : null,
    h("label.inline-field", h("span.sr-only", t("console.actions.assignee")), assignee),
    h("button.btn.btn-ghost.btn-sm", { type: "button", disabled: closed, onclick: () => transferDialog(c) }, t("console.actions.transfer")),
    h("label.inline-field", h("span.sr-only", t("console.actions.priority")), priority),
  );
  assignee.disabled = closed;
  priority.disabled = closed;
}

export function statusControls(c) {
  if (c.status === "closed") return h("span.muted.closed-note", t("console.actions.closed"));
  if (!ACTIVE.has(c.status)) {
    return h("button.btn.btn-sm.btn-primary", { type: "button", id: `reopen-${c.id}`, onclick: () => updateConversation(c.id, { status: "open" }) }, t("console.actions.reopen"));
  }
  const more = h("select.status-select", { "aria-label": t("console.actions.more_status") },
    h("option", { value: "" }, t("console.actions.more_status")),
    c.status !== "pending" ? h("option", { value: "pending" }, t("console.actions.mark_pending")) : null,
    c.status === "pending" ? h("option", { value: "open" }, t("console.actions.mark_open")) : null,
    h("option", { value: "closed" }, t("console.actions.close")),
  );
  more.addEventListener("change", () => {
    if (more.value) updateConversation(c.id, { status: more.value });
    more.value = "";
  });
  return [
    h("button.btn.btn-sm.btn-success", { type: "button", id: `resolve-${c.id}`, title: "e", onclick: () => updateConversation(c.id, { status: "resolved" }) }, "✓ ", t("console.actions.resolve")),
    more,
  ];
}

export function transferDialog(c) {
  const team = h("select", { id: "transfer-team" }, h("option", { value: "" }, t("console.transfer.no_team")),
    [...state.teams.values()].map((tm) => h("option", { value: String(tm.id), selected: tm.id === c.team_id }, tm.name)));
  const agent = h("select", { id: "transfer-agent" });
  const note = h("textarea", { id: "transfer-note", rows: 3, maxlength: "2000", placeholder: t("console.transfer.note_placeholder") });
  function paintAgents() {
    const chosen = state.teams.get(Number(team.value));
    const pool = [...state.agents.values()].filter((a) => a.is_active && (!chosen || chosen.member_ids.includes(a.id)));
    replace(agent, h("option", { value: "" }, chosen ? t("console.transfer.anyone_in_team") : t("console.actions.unassigned")),
      pool.map((a) => h("option", { value: String(a.id) }, `${a.name} · ${t(`console.presence.${a.presence || "offline"}`)}`)));
  }
  team.addEventListener("change", paintAgents);
  paintAgents();
  const submit = h("button.btn.btn-primary", { type: "button", id: "transfer-submit" }, t("console.transfer.submit"));
  const { close } = openDialog({
    title: t("console.transfer.title", { id: c.id }),
    body: h("div.form-stack",
      h("label.field", { for: "transfer-team" }, h("span", t("console.transfer.team")), team),
      h("label.field", { for: "transfer-agent" }, h("span", t("console.transfer.agent")), agent),
      h("label.field", { for: "transfer-note" }, h("span", t("console.transfer.note")), note),
      h("p.muted.small", t("console.transfer.note_hint"))),
    actions: [h("button.btn.btn-ghost", { type: "button", onclick: () => close() }, t("console.dialog.cancel")), submit],
  });
  submit.addEventListener("click", async () => {
    submit.disabled = true;
    const changes = { team_id: team.value ? Number(team.value) : null, assignee_id: agent.value ? Number(agent.value) : null };
    if (note.value.trim()) changes.note = note.value.trim();
    const done = await updateConversation(c.id, changes);
    submit.disabled = false;
    if (done) {
      close();
      toast(t("console.transfer.done"), "success");
    }
  });
}
