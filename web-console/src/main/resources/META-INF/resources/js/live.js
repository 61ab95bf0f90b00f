// The workspace's live event stream (GET /api/events), shared by every screen that shows run state.
// EventSource reconnects by itself and sends Last-Event-ID; when the server refuses a reconnect (an expired token,
// 429, a restart) the stream closes and we open a new one that resumes with ?lastEventId=.
import { api, session } from './api.js';

const EVENTS = ['run.status-changed', 'run.pull-request-opened', 'run.activity'];

class Live {
  constructor() {
    this.listeners = new Set();
    this.source = null;
    this.lastEventId = null;
    this.retryMs = 1000;
    this.timer = null;
    this.wasDown = false;
    this.notice = () => {};
  }

  /** subscribe(fn(type, data)) -> unsubscribe */
  subscribe(fn) {
    this.listeners.add(fn);
    if (!this.source && !this.timer) this.open();
    return () => {
      this.listeners.delete(fn);
      if (!this.listeners.size) this.close();
    };
  }

  open() {
    const token = session.token();
    if (!token) return;
    const params = new URLSearchParams({ access_token: token });
    if (this.lastEventId) params.set('lastEventId', this.lastEventId);
    const source = new EventSource(`/api/events?${params}`);
    this.source = source;
    source.onopen = () => {
      this.retryMs = 1000;
      this.notice(false);
      if (this.wasDown) {
        this.wasDown = false;
        this.emit('live.reconnected', null);
      }
    };
    source.onerror = () => {
      if (this.source !== source) return;
      this.wasDown = true;
      this.notice(true);
      if (source.readyState === EventSource.CLOSED) {
        this.source = null;
        this.reopenLater();
      }
    };
    for (const type of EVENTS) {
      source.addEventListener(type, e => {
        if (e.lastEventId) this.lastEventId = e.lastEventId;
        let data;
        try { data = JSON.parse(e.data); } catch { return; }
        this.emit(type, data);
      });
    }
  }

  /** To every subscriber: the stream's events, and 'live.reconnected' (data null) once a dropped stream is back. */
  emit(type, data) {
    for (const fn of [...this.listeners]) {
      try { fn(type, data); } catch (err) { console.error(err); }
    }
  }

  async reopenLater() {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 15000);
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (!this.listeners.size) return;
      try {
        // a refused stream tells EventSource nothing: ask the API whether the token is still good (401 -> sign-in)
        await api('GET', '/api/briefs?limit=1');
      } catch (e) {
        if (e.status === 401) return;
      }
      if (this.listeners.size && !this.source) this.open();
    }, wait);
  }

  close() {
    if (this.source) this.source.close();
    this.source = null;
    clearTimeout(this.timer);
    this.timer = null;
    this.notice(false);
  }

  /** After sign-out or a new token: forget everything. */
  reset() {
    this.close();
    this.listeners.clear();
    this.lastEventId = null;
    this.wasDown = false;
  }
}

export const live = new Live();
