// The sign-in screen. Errors name the reason: wrong password, deactivated account, or the
// rate limit with how long to wait.
import { post } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./store.js";

export function renderLogin(root, onSuccess) {
  const error = h("p.login-error", { role: "alert", id: "login-error", hidden: true });
  const email = h("input", { type: "email", name: "email", id: "login-email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", id: "login-password", autocomplete: "current-password", required: true });
  const button = h("button.btn.btn-primary.btn-block", { type: "submit" }, t("console.login.submit"));
  const form = h(
    "form.login-card",
    { novalidate: true, "aria-labelledby": "login-title" },
    h("div.login-brand", h("span.brand-mark", { "aria-hidden": "true" }), h("span.brand-name", "Supportdesk")),
    h("h1#login-title", t("console.login.title")),
    h("p.muted", t("console.login.subtitle")),
    h("label.field", { for: "login-email" }, h("span", t("console.login.email")), email),
    h("label.field", { for: "login-password" }, h("span", t("console.login.password")), password),
    error,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!email.value.trim() || !password.value) {
      showError(t("console.login.missing"));
      return;
    }
    button.disabled = true;
    try {
      const result = await post("/auth/login", { email: email.value.trim(), password: password.value }, { quiet401: true });
      onSuccess(result);
    } catch (failure) {
      showError(loginMessage(failure));
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }
  replace(root, h("main.login-page", form));
  email.focus();
}

function loginMessage(failure) {
  switch (failure.code) {
    case "bad_credentials":
      return t("console.login.bad_credentials");
    case "account_deactivated":
      return t("console.login.deactivated");
    case "rate_limited":
      return t("console.login.rate_limited", { seconds: failure.retryAfter || 60 });
    case "invalid":
      return t("console.login.invalid");
    case "network":
      return t("console.error.network");
    default:
      return t("console.error.generic", { code: failure.code });
  }
}
