// The visitor's half of the REST API (docs/api.md, "Widget (visitor)").

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export class VisitorApi {
  constructor() {
    this.token = null;
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (this.token) headers["X-Visitor-Token"] = this.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
      });
    } catch (error) {
      throw new ApiError(0, "offline", String(error));
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || "http_" + response.status, error.message, data);
    }
    return data;
  }

  session(body) {
    return this.request("POST", "/widget/session", body);
  }
  status() {
    return this.request("GET", "/widget/status");
  }
  updateMe(changes) {
    return this.request("PATCH", "/widget/me", changes);
  }
  conversations() {
    return this.request("GET", "/widget/conversations");
  }
  conversation(id) {
    return this.request("GET", `/widget/conversations/${id}`);
  }
  startConversation(body = {}) {
    return this.request("POST", "/widget/conversations", body);
  }
  // The newest `limit` messages, oldest first.
  async latestMessages(id, limit = 100) {
    const data = await this.request(
      "GET",
      `/widget/conversations/${id}/messages?before_id=2147483647&limit=${limit}`,
    );
    return data.messages;
  }
  sendMessage(id, body) {
    return this.request("POST", `/widget/conversations/${id}/messages`, body);
  }
  botChoice(id, choice) {
    return this.request("POST", `/widget/conversations/${id}/bot`, { choice });
  }

  // Routing (docs/routing.md): the place in the queue, and "ask for another agent".
  queue(id) {
    return this.request("GET", `/widget/conversations/${id}/queue`);
  }

  anotherAgent(id) {
    return this.request("POST", `/widget/conversations/${id}/another-agent`);
  }

  markRead(id, messageId) {
    return this.request("POST", `/widget/conversations/${id}/read`, { message_id: messageId });
  }

  // XMLHttpRequest rather than fetch: only it reports upload progress.
  upload(conversationId, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${BASE}/widget/conversations/${conversationId}/attachments`);
      xhr.setRequestHeader("X-Visitor-Token", this.token);
      xhr.responseType = "json";
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => {
        const data = xhr.response;
        if (xhr.status === 201 || xhr.status === 200) resolve(data);
        else {
          const error = (data && data.error) || {};
          reject(new ApiError(xhr.status, error.code || "http_" + xhr.status, error.message, data));
        }
      };
      xhr.onerror = () => reject(new ApiError(0, "offline", "network error"));
      const form = new FormData();
      form.append("file", file, file.name || "file");
      xhr.send(form);
    });
  }

  // Files need the visitor token, which an <img src> cannot send: fetch, then an object URL.
  async blob(url) {
    const response = await fetch(url, { headers: { "X-Visitor-Token": this.token }, credentials: "omit" });
    if (!response.ok) throw new ApiError(response.status, "http_" + response.status, "download failed");
    return response.blob();
  }
}
