// Human text for API error codes (the server's `message` is English-only and may change).
import { t } from "./store.js";

const KNOWN = new Set([
  "invalid_transition", "conversation_closed", "too_long", "empty_message", "bad_attachment",
  "too_large", "unsupported_type", "rate_limited", "not_found", "network", "csrf_failed",
  "shortcut_taken", "unknown_placeholder", "agent_inactive", "unknown_agent", "role_required",
]);

export function errorText(failure) {
  const code = failure && failure.code;
  if (KNOWN.has(code)) return t(`console.error.${code}`, { seconds: failure.retryAfter || 60 });
  return t("console.error.generic", { code: code || String(failure) });
}
