// What the widget remembers in the browser (the frame's own origin, partitioned per host
// site by the browser): the visitor token, the chosen language, the open conversation,
// drafts, unsent messages and the event cursor. Storage can be disabled or full; then the
// widget still works, it just forgets on reload.

const PREFIX = "supportdesk:";

export function load(key, fallback = null) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    if (value === null || value === undefined || value === "") {
      localStorage.removeItem(PREFIX + key);
    } else {
      localStorage.setItem(PREFIX + key, JSON.stringify(value));
    }
  } catch {
    // storage full or disabled
  }
}

// Keys that belong to one visitor (contact): a new session must not inherit them.
export const contactKey = (contactId, name) => `c${contactId}:${name}`;
