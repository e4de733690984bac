// Shared client state and a tiny event bus. Every module reads from here; the socket
// handlers and REST loads write to it and emit what changed.
import { get } from "./api.js";

export const ACTIVE = new Set(["bot", "queued", "open", "pending"]);
export const STATUSES = ["bot", "queued", "open", "pending", "resolved", "closed"];
export const PRIORITIES = ["low", "normal", "high", "urgent"];

export const state = {
  me: null,
  tr: null,
  agents: new Map(),
  teams: new Map(),
  contacts: new Map(),
  conversations: new Map(),
  previews: new Map(), // conversation id -> {body, internal, sender, at}
  counts: null,
  connection: "connecting",
  presence: "online",
  socket: null,
};

const listeners = new Map();

export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

export function emit(name, data) {
  for (const fn of listeners.get(name) || []) {
    try {
      fn(data);
    } catch (error) {
      console.error(`listener for ${name} failed`, error);
    }
  }
}

export const t = (key, params) => state.tr.t(key, params);
export const n = (key, count, params) => state.tr.n(key, count, params);

export function putConversation(conversation) {
  const known = state.conversations.get(conversation.id);
  const merged = { ...(known || {}), ...conversation };
  if (conversation.unread === undefined && known) merged.unread = known.unread;
  state.conversations.set(conversation.id, merged);
  emit("conversation", { conversation: merged, previous: known || null });
  return merged;
}

export async function loadAgents() {
  const agents = await get("/agents");
  state.agents = new Map(agents.map((a) => [a.id, a]));
  emit("agents");
}

export async function loadTeams() {
  const teams = await get("/teams");
  state.teams = new Map(teams.map((team) => [team.id, team]));
  emit("teams");
}

const contactRequests = new Map();

/** The contact (cached); fetches it once when unknown. */
export function contactFor(id, { refresh = false } = {}) {
  const known = state.contacts.get(id);
  if (!refresh && known && !known.partial) return Promise.resolve(known);
  if (!refresh && contactRequests.has(id)) return contactRequests.get(id);
  const request = get(`/contacts/${id}`)
    .then((contact) => {
      state.contacts.set(id, contact);
      emit("contact", contact);
      return contact;
    })
    .finally(() => contactRequests.delete(id));
  contactRequests.set(id, request);
  return request;
}

export function contactName(id) {
  const contact = state.contacts.get(id);
  if (!contact) return "…";
  return contact.name || contact.email || t("console.contact.anonymous", { id });
}

export function agentName(id) {
  const agent = state.agents.get(id);
  return agent ? agent.name : t("console.agent.unknown", { id });
}

export function senderName(message) {
  const sender = message.sender || {};
  if (sender.type === "contact") return contactName(state.conversations.get(message.conversation_id)?.contact_id);
  if (sender.type === "bot") return sender.name || t("console.message.bot");
  if (sender.type === "system") return t("console.message.system");
  return sender.name || agentName(sender.agent_id);
}

// Previews: the last message of a conversation for the list, fetched lazily and few at once.
const previewQueue = [];
let previewsRunning = 0;

export function requestPreview(conversation) {
  // Inbox rows from GET /conversations carry the contact's name and the latest message, so
  // a list needs no request per row; only conversations met through events fetch them.
  if (conversation.contact_name !== undefined && !state.contacts.has(conversation.contact_id)) {
    state.contacts.set(conversation.contact_id, {
      id: conversation.contact_id,
      name: conversation.contact_name,
      email: conversation.contact_email,
      partial: true,
    });
  }
  if (conversation.last_message) {
    const m = conversation.last_message;
    const seen = state.previews.get(conversation.id);
    if (!seen || seen.at !== conversation.last_message_at) {
      state.previews.set(conversation.id, {
        body: m.body,
        internal: m.internal,
        senderType: m.sender_type,
        attachments: m.attachments,
        system: m.system,
        at: conversation.last_message_at,
      });
    }
    return;
  }
  const known = state.previews.get(conversation.id);
  if (known && (known.loading || known.at === conversation.last_message_at)) return;
  if (!conversation.last_message_at) return;
  state.previews.set(conversation.id, { ...(known || {}), loading: true });
  previewQueue.push(conversation.id);
  pumpPreviews();
}

function pumpPreviews() {
  while (previewsRunning < 4 && previewQueue.length) {
    const id = previewQueue.shift();
    previewsRunning += 1;
    get(`/conversations/${id}/messages?before_id=2147483647&limit=1`)
      .then(({ messages }) => {
        const last = messages[messages.length - 1];
        const conversation = state.conversations.get(id);
        if (last) setPreview(last, conversation?.last_message_at);
        else state.previews.delete(id);
      })
      .catch(() => state.previews.delete(id))
      .finally(() => {
        previewsRunning -= 1;
        pumpPreviews();
      });
  }
}

export function setPreview(message, at) {
  state.previews.set(message.conversation_id, {
    body: message.body,
    internal: message.internal,
    senderType: message.sender.type,
    attachments: message.attachments.length,
    system: message.system,
    at: at || message.created_at,
  });
  emit("preview", message.conversation_id);
}
