// Small DOM helpers: every text goes in as text, never as HTML (the markdown renderer is the one exception).

/** h('a', {href, class, onclick}, 'text', child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
export const uid = (prefix = 'f') => `${prefix}-${++ids}`;

/** A labelled field: {label, name, type, value, required, hint, options, rows, ...} -> the wrapper element. */
export function field({ label, name, type = 'text', value = '', hint, options, rows, ...rest }) {
  const id = uid(name);
  let input;
  if (type === 'textarea') {
    input = h('textarea', { id, name, rows: rows || 4, ...rest });
    input.value = value ?? '';
  } else if (type === 'select') {
    input = h('select', { id, name, ...rest },
      (options || []).map(o => h('option', { value: o.value, selected: o.value === value }, o.label ?? o.value)));
  } else if (type === 'checkbox') {
    input = h('input', { id, name, type, checked: !!value, ...rest });
    return h('div', { class: 'field checkbox' }, input, h('label', { for: id }, label),
      hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null);
  } else {
    input = h('input', { id, name, type, value: value ?? '', ...rest });
  }
  const hintEl = hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl);
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDuration(ms) {
  if (ms == null || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function statusBadge(status) {
  const word = status || 'NOT RUN';
  return h('span', { class: `badge status-${word.toLowerCase().replace(/\s+/g, '-')}`, 'data-status': word }, word);
}

export function setTitle(text) {
  document.title = text ? `${text} · Handoff` : 'Handoff';
}
