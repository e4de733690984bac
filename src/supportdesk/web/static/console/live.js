// The console's WebSocket: applies durable events to the store and routes ephemeral
// frames (typing, presence). Reloads over REST on first connect and on resync.
import { EventSocket } from "../shared/socket.js";
import { selfAssigned } from "./actions.js";
import { get } from "./api.js";
import { invalidate as invalidateCanned } from "./canned.js";
import { refreshHistory } from "./contact.js";
import { reload as reloadList } from "./inbox.js";
import { notifyAssigned } from "./notify.js";
import {
  contactFor, emit, loadAgents, loadTeams, on, putConversation, setPreview, state,
} from "./store.js";
import { allViews, viewFor } from "./tabs.js";

let countsTimer = null;

export function refreshCounts(delay = 400) {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    try {
      state.counts = await get("/conversations/counts");
      emit("counts");
    } catch {
      // Counts are decoration; the next event tries again.
    }
  }, delay);
}

export function startSocket({ onFatal }) {
  on("counts-stale", () => refreshCounts(800));
  const socket = new EventSocket({
    path: "/api/v1/ws/console",
    hello: () => ({}),
    cursor: null,
    onReload: async () => {
      await Promise.all([loadAgents().catch(() => {}), loadTeams().catch(() => {}), reloadList()]);
      refreshCounts(0);
      await Promise.all(allViews().map((view) => (view.loaded ? view.catchUp() : null)).filter(Boolean)).catch(() => {});
    },
    onEvent: (frame) => applyEvent(frame.event, frame.data || {}),
    onFrame: (frame) => applyFrame(frame),
    onStatus: (status) => {
      state.connection = status;
      emit("connection");
    },
    onWelcome: () => {},
    onFatal: (code, reason) => onFatal(code, reason),
  });
  state.socket = socket;
  socket.start();
  return socket;
}

function applyEvent(event, data) {
  switch (event) {
    case "message.created": {
      const { message, conversation } = data;
      const known = state.conversations.get(conversation.id);
      const unread = conversation.unread !== undefined
        ? conversation.unread
        : message.sender.type === "contact" ? ((known && known.unread) || 0) + 1 : known ? known.unread : 0;
      setPreview(message, conversation.last_message_at);
      putConversation({ ...conversation, unread });
      viewFor(conversation.id)?.onEvent(event, data);
      refreshCounts();
      break;
    }
    case "conversation.created":
    case "conversation.updated": {
      const previous = state.conversations.get(data.conversation.id);
      const conversation = putConversation(data.conversation);
      if (
        conversation.assignee_id === state.me.id &&
        (!previous || previous.assignee_id !== state.me.id) &&
        !selfAssigned.delete(conversation.id)
      ) {
        notifyAssigned(conversation);
      }
      if (event === "conversation.created") refreshHistory();
      refreshCounts();
      break;
    }
    case "conversation.read": {
      const known = state.conversations.get(data.conversation_id);
      if (known) {
        const changes = data.reader === "contact"
          ? { contact_last_read_id: Math.max(known.contact_last_read_id || 0, data.message_id) }
          : { agent_last_read_id: Math.max(known.agent_last_read_id || 0, data.message_id), unread: 0 };
        putConversation({ ...known, ...changes });
      }
      viewFor(data.conversation_id)?.onEvent(event, data);
      if (data.reader === "agent") refreshCounts();
      break;
    }
    case "agent.created":
    case "agent.updated":
    case "agent.deactivated":
      loadAgents().catch(() => {});
      break;
    case "team.created":
    case "team.updated":
      loadTeams().catch(() => {});
      refreshCounts();
      break;
    case "contact.updated":
      if (state.contacts.has(data.contact_id)) contactFor(data.contact_id, { refresh: true }).catch(() => {});
      break;
    case "contact.merged":
      state.contacts.delete(data.from_id);
      contactFor(data.into_id, { refresh: true }).catch(() => {});
      refreshHistory();
      break;
    case "canned_reply.changed":
      invalidateCanned();
      break;
    default:
      break; // Unknown events are ignored, as the protocol asks.
  }
}

function applyFrame(frame) {
  if (frame.type === "typing") {
    viewFor(frame.conversation_id)?.onTyping(frame);
  } else if (frame.type === "presence") {
    const agent = state.agents.get(frame.agent_id);
    if (agent) {
      agent.presence = frame.status;
      emit("agents");
    }
    if (frame.agent_id === state.me.id && frame.status !== "offline") {
      state.presence = frame.status;
      emit("presence");
    }
  }
}
