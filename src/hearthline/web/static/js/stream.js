// The live stream: a snapshot, then events in id order, resumable after a drop.
//
//   server -> {"type":"snapshot","last_event_id":N,"data":{...}}
//   server -> {"type":"event","id":N,"event":{"type":"ContactQueued",...}}
//   server -> {"type":"reset"}            (resume too old: a fresh snapshot follows)
//   page   -> {"type":"heartbeat"}        (the agent page, every few seconds)
//
// On a drop the stream reconnects with ?last_event_id= of the last event it applied, so
// nothing is missed; events at or below that id (a replay overlap) are skipped.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class Stream {
  /**
   * @param {object} handlers onSnapshot(data, lastId), onEvent(event, id), onStatus(status)
   *   where status is "connecting" | "open" | "closed" | "offline" | "unauthorised".
   * @param {number} heartbeatMs send {"type":"heartbeat"} this often while open (0: never)
   */
  constructor(handlers, { heartbeatMs = 0, path = "/api/stream" } = {}) {
    this.handlers = handlers;
    this.heartbeatMs = heartbeatMs;
    this.path = path;
    this.lastId = null;
    this.socket = null;
    this.attempt = 0;
    this.stopped = false;
    this.status = "connecting";
    this.lastMessageAt = 0;
    this._heartbeat = null;
    this._retry = null;
    window.addEventListener("offline", () => this._goOffline());
    window.addEventListener("online", () => this.reconnectNow());
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this._retry);
    this._closeSocket();
  }

  /** Reconnect at once (the browser says the network is back, or the user asked). */
  reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this._retry);
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.attempt = 0;
    this._connect();
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  _setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus?.(status);
  }

  _url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = this.lastId === null ? "" : `?last_event_id=${this.lastId}`;
    return `${scheme}//${location.host}${this.path}${query}`;
  }

  _connect() {
    if (this.stopped) return;
    if (!navigator.onLine) {
      this._setStatus("offline");
      return;
    }
    this._closeSocket();
    this._setStatus("connecting");
    let socket;
    try {
      socket = new WebSocket(this._url());
    } catch {
      this._scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.openedAt = Date.now();
      this.sawSnapshot = false;
      this.attempt = 0;
      this.lastMessageAt = Date.now();
      this._setStatus("open");
      this._startHeartbeat();
    });
    socket.addEventListener("message", (msg) => {
      if (socket !== this.socket) return;
      this.lastMessageAt = Date.now();
      this._receive(msg.data);
    });
    socket.addEventListener("close", (ev) => {
      if (socket !== this.socket) return;
      this._stopHeartbeat();
      this.socket = null;
      // 4401/4403/1008: the session is gone; reconnecting will not help.
      if (ev.code === 4401 || ev.code === 4403 || ev.code === 1008) {
        this._setStatus("unauthorised");
        return;
      }
      this._setStatus(navigator.onLine ? "closed" : "offline");
      this._scheduleRetry();
    });
  }

  _receive(raw) {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.type === "snapshot") {
      this.sawSnapshot = true;
      this.lastId = msg.last_event_id ?? this.lastId;
      this.handlers.onSnapshot?.(msg.data || {}, this.lastId);
    } else if (msg.type === "event") {
      if (this.lastId !== null && msg.id <= this.lastId) return;
      this.lastId = msg.id;
      // Live, not a replay of what was missed: after a snapshot, or once the burst of
      // a resume is over. Only live events say what time it is on the server.
      const live = this.sawSnapshot || Date.now() - this.openedAt > 1500;
      try {
        this.handlers.onEvent?.(msg.event, msg.id, { live });
      } catch (err) {
        console.error("event handler failed", msg, err);
      }
    } else if (msg.type === "reset") {
      this.lastId = null;
      this.handlers.onReset?.();
    } else {
      this.handlers.onMessage?.(msg);
    }
  }

  _startHeartbeat() {
    this._stopHeartbeat();
    if (!this.heartbeatMs) return;
    const beat = () => this.send({ type: "heartbeat" });
    beat();
    this._heartbeat = setInterval(beat, this.heartbeatMs);
  }

  _stopHeartbeat() {
    clearInterval(this._heartbeat);
    this._heartbeat = null;
  }

  _scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this._retry);
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this._retry = setTimeout(() => this._connect(), delay);
  }

  _goOffline() {
    // The browser knows the network is gone before the socket does: say so at once.
    this._closeSocket();
    this._setStatus("offline");
  }

  _closeSocket() {
    this._stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) {
      try {
        socket.close(1000);
      } catch {
        /* already closing */
      }
    }
  }
}
