// Desktop notifications and a short chime for new assignments (opt-in, per browser).
import { contactName, t } from "./store.js";

const KEY = "sd.console.notifications";
let audio = null;

export function notificationsEnabled() {
  return localStorage.getItem(KEY) === "on";
}

export async function setNotifications(enabled) {
  if (!enabled) {
    localStorage.setItem(KEY, "off");
    return true;
  }
  if ("Notification" in window && Notification.permission === "default") {
    try {
      await Notification.requestPermission();
    } catch {
      // Some browsers only allow it from a gesture; the chime still works.
    }
  }
  localStorage.setItem(KEY, "on");
  unlockAudio();
  return true;
}

function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audio) audio = new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

export function chime() {
  const context = unlockAudio();
  if (!context) return;
  const now = context.currentTime;
  for (const [offset, freq] of [[0, 880], [0.16, 1318.5]]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.18, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.35);
    osc.connect(gain).connect(context.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.4);
  }
}

export function notifyAssigned(conversation) {
  if (!notificationsEnabled()) return;
  chime();
  const title = t("console.notify.assigned_title");
  const body = t("console.notify.assigned_body", { id: conversation.id, name: contactName(conversation.contact_id) });
  if ("Notification" in window && Notification.permission === "granted") {
    const note = new Notification(title, { body, tag: `conversation-${conversation.id}` });
    note.onclick = () => {
      window.focus();
      location.hash = `#/c/${conversation.id}`;
      note.close();
    };
  }
}
