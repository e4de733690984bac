// The page that embeds the panel: the loader sends the config (and open/close), the panel
// answers ready, close, unread counts and translated labels for the launcher.

export function connectHost() {
  const params = new URLSearchParams(location.hash.slice(1));
  const hostOrigin = params.get("host");
  const standalone = window.parent === window;
  const ancestors = location.ancestorOrigins;
  // The frame answers only the page that embeds it (and CSP frame-ancestors already
  // limits who may): a page cannot claim another origin in the URL.
  const trusted = !standalone && hostOrigin && (!ancestors || ancestors[0] === hostOrigin);
  const host = {
    standalone,
    config: { open: standalone },
    post(message) {
      if (trusted) window.parent.postMessage({ source: "supportdesk", ...message }, hostOrigin);
    },
    onMessage: () => {},
  };
  if (!trusted) return Promise.resolve(host);
  return new Promise((resolve) => {
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || event.origin !== hostOrigin) return;
      const message = event.data;
      if (!message || message.source !== "supportdesk") return;
      if (message.type === "config") {
        host.config = { ...message.config };
        resolve(host);
      } else host.onMessage(message);
    });
    host.post({ type: "ready" });
  });
}
