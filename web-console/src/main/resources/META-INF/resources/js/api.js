// The API client: bearer token from the tab's sessionStorage, problem+json turned into words, 401 back to sign-in.
import { h } from './dom.js';

const KEY = 'handoff.token';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  set(token) { sessionStorage.setItem(KEY, token.trim()); },
  clear() { sessionStorage.removeItem(KEY); },
  /** The token's claims (not verified here: the services verify it; the console only reads who it is for). */
  claims() {
    const token = this.token();
    if (!token) return null;
    return decodeClaims(token);
  },
  isAdmin() { return (this.claims()?.groups || []).includes('admin'); },
};

export function decodeClaims(token) {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(atob(b64 + '='.repeat((4 - b64.length % 4) % 4))
      .split('').map(c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** A refused or failed request, with the problem's words. */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || (status ? `The request failed (HTTP ${status}).` : 'The request failed.'));
    this.status = status;
    this.body = body || {};
    this.code = this.body.code;
    this.violations = Array.isArray(this.body.violations) ? this.body.violations : [];
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/** api('GET', '/api/briefs') -> {status, headers, data}; throws Problem for anything but 2xx. */
export async function api(method, path, { body, headers = {}, rawBody } = {}) {
  const h2 = { Accept: 'application/json', ...headers };
  const token = session.token();
  if (token) h2.Authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    h2['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h2['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, { method, headers: h2, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new Problem(0, { detail: 'The console cannot reach the server. Check your connection and try again.' });
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (res.status === 401) {
    onUnauthorized('Your token was refused or has expired. Sign in again.');
    throw new Problem(401, data || { detail: 'Sign in again.' });
  }
  if (!res.ok) throw new Problem(res.status, data);
  return { status: res.status, headers: res.headers, data, etag: res.headers.get('ETag') };
}

/** The path and query of the rel="next" link of a Link header, if any. */
export function nextLink(headers) {
  const link = headers.get('Link');
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (m) {
      const url = new URL(m[1], location.origin);
      return url.pathname + url.search;
    }
  }
  return null;
}

/** Clears a form's earlier errors. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach(e => {
    e.removeAttribute('aria-invalid');
    const describedBy = (e.getAttribute('aria-describedby') || '').split(' ').filter(id => !id.endsWith('-error')).join(' ');
    if (describedBy) e.setAttribute('aria-describedby', describedBy); else e.removeAttribute('aria-describedby');
  });
  const summary = form.querySelector('.form-error');
  if (summary) { summary.hidden = true; summary.replaceChildren(); }
}

/** Shows a problem in a form: its detail at the top, each violation beside its field (matched by name). */
export function showProblem(form, problem, extra) {
  clearErrors(form);
  const unmatched = [];
  for (const v of problem.violations || []) {
    const input = findField(form, v.field);
    if (!input) { unmatched.push(v); continue; }
    const id = (input.id || input.name) + '-error';
    const msg = h('p', { class: 'field-error', id }, `${labelOf(input) || v.field}: ${v.message}`);
    const wrapper = input.closest('.field') || input.parentElement;
    wrapper.append(msg);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  }
  let summary = form.querySelector('.form-error');
  if (!summary) {
    summary = h('div', { class: 'form-error', role: 'alert', tabindex: '-1' });
    form.prepend(summary);
  }
  summary.replaceChildren(h('p', {}, problem.message), ...unmatched.map(v => h('p', {}, `${v.field}: ${v.message}`)), extra || []);
  summary.hidden = false;
  const first = form.querySelector('[aria-invalid="true"]');
  (first || summary).focus?.();
}

function findField(form, name) {
  if (!name) return null;
  const candidates = [name, name.split('.').pop(), name.replace(/^.*\.(?=[^.]+\[)/, '')];
  for (const c of candidates) {
    const el = form.querySelector(`[name="${CSS.escape(c)}"]`) || form.querySelector(`[data-field="${CSS.escape(c)}"]`);
    if (el) return el;
  }
  return null;
}

function labelOf(input) {
  const label = input.id && input.ownerDocument.querySelector(`label[for="${CSS.escape(input.id)}"]`);
  return label ? label.textContent : null;
}

/** A problem shown on its own (not in a form), as an alert. */
export function problemBox(problem) {
  return h('div', { class: 'form-error', role: 'alert' }, h('p', {}, problem.message),
    (problem.violations || []).map(v => h('p', {}, `${v.field}: ${v.message}`)));
}

/** A 412 in words. */
export function staleWords(err) {
  if (err.status === 412) return new Problem(412, { ...err.body, detail: 'This was changed elsewhere since you opened it. Reload to see the current version (your edits here are not saved).' });
  return err;
}

export function reloadButton() {
  return h('button', { type: 'button', onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange')) }, 'Reload');
}

