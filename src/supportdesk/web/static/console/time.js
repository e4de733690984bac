// Short durations for waiting times ("5 min", "2 h", "3 d"), in the console's language.
import { state, t } from "./store.js";

export function durationShort(ms) {
  if (ms < 60000) return t("console.duration.now");
  return state.tr.duration(ms / 1000);
}
