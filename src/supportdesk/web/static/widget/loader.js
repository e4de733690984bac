// The one script a host page includes (docs/widget.md):
//
//   <script src="https://desk.example.com/widget.js" data-color="#0b5cff" async></script>
//
// It adds a launcher button and the chat panel. Both live in a closed shadow root whose
// host element resets every inherited property, so the host's CSS cannot restyle them and
// ours cannot leak out; the panel itself is an iframe on the desk's origin, so the host
// page's scripts cannot read the conversation or the visitor token. The two halves talk
// with postMessage, each checking the other's origin and window.
(function supportdeskLoader() {
  "use strict";

  if (window.Supportdesk && window.Supportdesk.loaded) return;

  var script =
    document.currentScript ||
    Array.prototype.slice
      .call(document.getElementsByTagName("script"))
      .filter(function (s) {
        return /\/widget\.js(\?|#|$)/.test(s.src);
      })
      .pop();
  if (!script) return;

  var CHAT_PATH =
    "M12 3C6.5 3 2 6.8 2 11.5c0 2.3 1.1 4.4 2.9 5.9-.2 1.5-.9 2.9-2 4 2.2 0 4.2-.8 5.7-2 " +
    "1.1.3 2.2.5 3.4.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3z";
  var CLOSE_PATH =
    "M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 " +
    "1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z";
  var DESK = new URL(script.src, location.href).origin;
  var OPEN_KEY = "supportdesk:open";
  var PHONE_MAX = 480;
  var HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
  var data = script.dataset;
  var color = HEX.test(data.color || "") ? expandHex(data.color) : "#0b5cff";
  if (data.color && !HEX.test(data.color)) {
    console.warn("Supportdesk: data-color must be a hex colour like #0b5cff; using the default");
  }
  var left = data.position === "left";

  var host = document.createElement("supportdesk-widget");
  resetHost(host);
  var root = host.attachShadow({ mode: "closed" });
  adoptStyles(root, launcherCss(color));

  var button = document.createElement("button");
  button.type = "button";
  button.className = "launcher" + (left ? " left" : "");
  button.setAttribute("aria-haspopup", "dialog");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-label", "Chat with us");
  button.append(icon(CHAT_PATH, "chat"), icon(CLOSE_PATH, "close"));
  var badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  button.append(badge);

  var frame = document.createElement("iframe");
  frame.className = "panel" + (left ? " left" : "");
  frame.title = "Support chat";
  frame.src = DESK + "/widget/frame#host=" + encodeURIComponent(location.origin);
  frame.hidden = true;
  root.append(frame, button);

  var state = { open: false, ready: false, unread: 0, labels: {} };

  function post(message) {
    if (state.ready && frame.contentWindow) frame.contentWindow.postMessage(message, DESK);
  }

  function config() {
    return {
      color: color,
      greeting: data.greeting || "",
      locale: data.locale || "",
      user_id: data.userId || "",
      user_hash: data.userHash || "",
      name: data.name || "",
      email: data.email || "",
      host_languages: Array.prototype.slice.call(navigator.languages || [navigator.language]),
      open: state.open,
    };
  }

  function setOpen(open, options) {
    open = !!open;
    var fromFrame = options && options.fromFrame;
    if (open === state.open) return;
    state.open = open;
    try {
      sessionStorage.setItem(OPEN_KEY, open ? "1" : "0");
    } catch (e) {
      // storage disabled: the state just does not survive navigation
    }
    frame.hidden = !open;
    button.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
    updateLabel();
    layout();
    post({ source: "supportdesk", type: open ? "open" : "close" });
    if (open) {
      if (!(options && options.restore)) frame.focus();
    } else if (fromFrame || root.activeElement === frame || document.activeElement === host) {
      button.focus();
    }
  }

  function updateLabel() {
    var label = state.open ? state.labels.close : state.labels.open;
    if (label) button.setAttribute("aria-label", label);
    if (state.labels.frame) frame.title = state.labels.frame;
  }

  function setUnread(count) {
    state.unread = Math.max(0, Math.min(99, count | 0));
    badge.textContent = state.unread > 9 ? "9+" : String(state.unread);
    badge.hidden = state.unread === 0;
    if (state.labels.unread && state.unread > 0 && !state.open) {
      button.setAttribute("aria-label", state.labels.open + " — " + state.labels.unread);
    } else {
      updateLabel();
    }
  }

  // Below 480 px the open panel covers the screen. The on-screen keyboard shrinks only the
  // visual viewport, so the frame follows it: the composer stays above the keyboard.
  function layout() {
    var full = window.innerWidth < PHONE_MAX && state.open;
    frame.classList.toggle("full", full);
    button.classList.toggle("covered", full);
    var viewport = window.visualViewport;
    if (full && viewport) {
      frame.style.height = viewport.height + "px";
      frame.style.top = viewport.offsetTop + "px";
    } else {
      frame.style.height = "";
      frame.style.top = "";
    }
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== DESK || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || message.source !== "supportdesk") return;
    if (message.type === "ready") {
      state.ready = true;
      post({ source: "supportdesk", type: "config", config: config() });
    } else if (message.type === "close") {
      setOpen(false, { fromFrame: true });
    } else if (message.type === "unread") {
      setUnread(message.count);
    } else if (message.type === "labels" && message.labels) {
      state.labels = {
        open: String(message.labels.open || ""),
        close: String(message.labels.close || ""),
        frame: String(message.labels.frame || ""),
        unread: String(message.labels.unread || ""),
      };
      setUnread(state.unread);
    }
  });

  button.addEventListener("click", function () {
    setOpen(!state.open);
  });
  document.addEventListener("keydown", function (event) {
    // Only while the launcher has the focus: the host page's own Escape is its own.
    if (event.key === "Escape" && state.open && document.activeElement === host) {
      setOpen(false, { fromFrame: true });
    }
  });
  window.addEventListener("resize", layout);
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", layout);
    window.visualViewport.addEventListener("scroll", layout);
  }

  function mount() {
    document.body.append(host);
    var remembered = null;
    try {
      remembered = sessionStorage.getItem(OPEN_KEY);
    } catch (e) {
      remembered = null;
    }
    // Reopened after a navigation: shown again, without taking the page's focus.
    if (remembered === "1") setOpen(true, { restore: true });
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.Supportdesk = {
    loaded: true,
    open: function () {
      setOpen(true);
    },
    close: function () {
      setOpen(false, { fromFrame: true });
    },
    toggle: function () {
      setOpen(!state.open, { fromFrame: state.open });
    },
    get isOpen() {
      return state.open;
    },
  };

  // --- helpers ---------------------------------------------------------------------------

  function expandHex(value) {
    var hex = value.slice(1).toLowerCase();
    if (hex.length === 3) hex = hex[0] + hex[0] + hex[1] + hex[1] + hex[2] + hex[2];
    return "#" + hex;
  }

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var hi = Math.max(a, b);
    var lo = Math.min(a, b);
    return (hi + 0.05) / (lo + 0.05);
  }

  // White or near-black, whichever reads better on the brand colour (WCAG 2 contrast).
  function inkOn(hex) {
    var l = luminance(hex);
    return contrast(l, 1) >= contrast(l, luminance("#111827")) ? "#ffffff" : "#111827";
  }

  // The host element takes no part in the page's layout and inherits nothing from it.
  function resetHost(el) {
    var important = {
      all: "initial",
      display: "block",
      position: "fixed",
      "z-index": "2147483000",
      top: "0",
      left: "0",
      width: "0",
      height: "0",
      overflow: "visible",
      visibility: "visible",
      opacity: "1",
      transform: "none",
      filter: "none",
      contain: "none",
    };
    Object.keys(important).forEach(function (name) {
      el.style.setProperty(name, important[name], "important");
    });
  }

  function adoptStyles(shadow, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Very old browsers: a <style> inside the shadow root (a strict host CSP may block it).
      var style = document.createElement("style");
      style.textContent = css;
      shadow.append(style);
    }
  }

  function icon(path, name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon " + name);
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.append(p);
    return svg;
  }

  function launcherCss(brand) {
    var ink = inkOn(brand);
    return [
      ":host { all: initial; }",
      "* { box-sizing: border-box; }",
      ".launcher { all: initial; position: fixed; bottom: 20px; right: 20px; width: 60px;",
      "  height: 60px; border-radius: 50%; background: " + brand + "; color: " + ink + ";",
      "  cursor: pointer; display: flex; align-items: center; justify-content: center;",
      "  box-shadow: 0 4px 14px rgba(15,23,42,.28), 0 1px 3px rgba(15,23,42,.2);",
      "  transition: transform .15s ease; z-index: 2; }",
      ".launcher.left { right: auto; left: 20px; }",
      ".launcher:hover { transform: scale(1.06); }",
      ".launcher:focus-visible { outline: 3px solid #111827; outline-offset: 3px;",
      "  box-shadow: 0 0 0 6px #ffffff, 0 4px 14px rgba(15,23,42,.28); }",
      ".icon { width: 28px; height: 28px; fill: currentColor; }",
      ".icon.close { display: none; width: 24px; height: 24px; }",
      ".launcher.open .icon.chat { display: none; }",
      ".launcher.open .icon.close { display: block; }",
      ".launcher.covered { display: none; }",
      ".badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px;",
      "  padding: 0 6px; border-radius: 11px; background: #d92d20; color: #ffffff;",
      "  font: 700 12px/22px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;",
      "  text-align: center; border: 2px solid #ffffff; }",
      ".badge[hidden] { display: none; }",
      ".panel { all: initial; position: fixed; bottom: 92px; right: 20px; width: 380px;",
      "  height: min(600px, calc(100vh - 112px)); max-height: calc(100dvh - 112px);",
      "  border: 0; border-radius: 16px; background: #ffffff; display: block;",
      "  box-shadow: 0 12px 48px rgba(15,23,42,.28), 0 2px 8px rgba(15,23,42,.12);",
      "  color-scheme: light; z-index: 1; }",
      ".panel.left { right: auto; left: 20px; }",
      ".panel[hidden] { display: none; }",
      ".panel.full { inset: 0; width: 100vw; height: 100vh; height: 100dvh; max-height: none;",
      "  border-radius: 0; bottom: 0; right: 0; left: 0; top: 0; }",
    ].join("\n");
  }
})();
