// A WebSocket client that follows docs/realtime.md: hello with the last sequence number,
// replay or resync after a reconnect, heartbeats, and reconnection with backoff.
//
// Durable events, resyncs and welcomes are handled strictly one after another (a queue
// of promises), so an event that arrives while the app reloads its state over REST is
// applied after that reload, never before it. Replies to the client's own frames (ack,
// ok, pong, error) settle their request at once.

const FATAL_CODES = new Set([4001, 4002, 4003]);
const MAX_BACKOFF_S = 30;
const noop = () => {};

export class EventSocket {
  constructor(options) {
    this.path = options.path;
    this.hello = options.hello || (() => ({}));
    this.cursor = Number.isInteger(options.cursor) ? options.cursor : null;
    this.on = {
      reload: options.onReload || (async () => {}),
      event: options.onEvent || noop,
      frame: options.onFrame || noop,
      status: options.onStatus || noop,
      welcome: options.onWelcome || noop,
      cursor: options.onCursor || noop,
      fatal: options.onFatal || noop,
    };
    this.ws = null;
    this.welcome = null;
    this.attempts = 0;
    this.pending = new Map();
    this.queue = Promise.resolve();
    this.stopped = true;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.nextRef = 1;
    this.wake = () => {
      if (!this.connected) this.reconnectNow();
    };
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.welcome !== null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.wake);
    document.addEventListener("visibilitychange", this.wake);
    this.connect();
  }

  close() {
    this.stopped = true;
    window.removeEventListener("online", this.wake);
    document.removeEventListener("visibilitychange", this.wake);
    clearTimeout(this.retryTimer);
    this.drop("closed by the page");
  }

  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws === null) this.connect();
  }

  // Fire and forget (typing): true when the frame was handed to an open socket.
  send(frame) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // A frame that the server answers: resolves with ack / ok / pong, rejects with an
  // Error whose `code` is the server's error code, "offline" or "timeout".
  request(frame, timeoutMs = 10000) {
    if (!this.connected) return Promise.reject(failure("offline", "not connected"));
    const message = { ...frame };
    let ref = message.type === "send" ? message.client_id : message.ref;
    if (!ref) {
      ref = `r${this.nextRef++}`;
      message.ref = ref;
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(failure("timeout", "no answer from the server"));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.ws.send(JSON.stringify(message));
    });
  }

  connect() {
    this.on.status("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.path}`);
    this.ws = ws;
    this.welcome = null;
    ws.onopen = () => {
      const hello = { type: "hello", ...this.hello() };
      if (this.cursor !== null) hello.last_seq = this.cursor;
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (message) => this.receive(ws, message.data);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.disconnected(event.code, event.reason);
    };
  }

  receive(ws, data) {
    if (this.ws !== ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (["ack", "ok", "pong", "error"].includes(frame.type) && this.settle(frame)) return;
    if (["welcome", "resync", "event"].includes(frame.type)) {
      this.queue = this.queue.then(() => this.ordered(ws, frame)).catch((error) => {
        console.error("supportdesk: could not apply", frame.type, error);
      });
      return;
    }
    this.on.frame(frame);
  }

  settle(frame) {
    const waiting = frame.ref != null && this.pending.get(frame.ref);
    if (!waiting) return false;
    this.pending.delete(frame.ref);
    clearTimeout(waiting.timer);
    if (frame.type === "error") waiting.reject(failure(frame.code, frame.message, frame));
    else waiting.resolve(frame);
    return true;
  }

  async ordered(ws, frame) {
    if (this.ws !== ws) return;
    if (frame.type === "welcome") {
      this.welcome = frame;
      this.attempts = 0;
      this.startHeartbeat(frame.heartbeat_interval);
      this.on.welcome(frame);
      this.on.status("online");
      if (this.cursor === null) {
        this.setCursor(frame.last_seq);
        await this.on.reload("initial");
      }
    } else if (frame.type === "resync") {
      this.setCursor(frame.last_seq);
      await this.on.reload("resync");
    } else if (this.cursor === null || frame.seq > this.cursor) {
      this.setCursor(frame.seq);
      this.on.event(frame);
    }
  }

  setCursor(seq) {
    this.cursor = seq;
    this.on.cursor(seq);
  }

  startHeartbeat(intervalSeconds) {
    clearInterval(this.heartbeatTimer);
    const every = Math.max(5, (intervalSeconds || 25) * 0.8) * 1000;
    this.heartbeatTimer = setInterval(() => {
      // A dead link does not always close by itself: no pong within the interval means
      // the connection is gone, whatever the browser thinks.
      this.request({ type: "ping" }, every).catch((error) => {
        if (error.code === "timeout") this.drop("heartbeat timeout");
      });
    }, every);
  }

  // Forget the current socket now and reconnect (unless stopped).
  drop(reason) {
    const ws = this.ws;
    if (ws === null) return;
    this.ws = null;
    ws.onclose = null;
    ws.onmessage = null;
    try {
      ws.close(1000, reason);
    } catch {
      // already closing
    }
    this.disconnected(1006, reason);
  }

  disconnected(code, reason) {
    clearInterval(this.heartbeatTimer);
    this.welcome = null;
    for (const [ref, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(failure("offline", "the connection was lost"));
      this.pending.delete(ref);
    }
    this.on.status("offline");
    if (FATAL_CODES.has(code)) {
      this.stopped = true;
      this.on.fatal(code, reason);
      return;
    }
    if (this.stopped) return;
    const base = Math.min(MAX_BACKOFF_S, 2 ** this.attempts);
    this.attempts += 1;
    const delay = base * (0.75 + Math.random() * 0.5) * 1000;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && this.ws === null) this.connect();
    }, delay);
  }
}

function failure(code, message, frame) {
  const error = new Error(message || code);
  error.code = code;
  if (frame) error.frame = frame;
  return error;
}
