// The console's shell: sign-in, the hash router, and the briefs screens. Each screen is a function that fills
// <main> and may return a cleanup function (to close its live subscription when the user leaves).
import { api, session, decodeClaims, whenUnauthorized, nextLink, showProblem, clearErrors, problemBox, Problem, staleWords, reloadButton } from './api.js';
import { h, clear, field, fmtTime, statusBadge, setTitle } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { live } from './live.js';
import { taskScreen } from './task.js';
import { settingsScreen } from './settings.js';

const main = document.getElementById('main');
let cleanup = null;
let signInMessage = null;

// ---- the token: from #token=<jwt> (./handoff console) or pasted on the sign-in screen -------------------------
function takeTokenFromFragment() {
  const hash = location.hash.slice(1);
  if (!hash.startsWith('token=')) return;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  const next = params.get('next');
  if (token && decodeClaims(token)) {
    live.reset();
    session.set(token);
  } else {
    signInMessage = 'The link did not carry a valid token.';
  }
  // the token never stays in the address bar or the history
  const target = next && next.startsWith('/') ? `#${next}` : '#/briefs';
  history.replaceState(null, '', location.pathname + location.search + target);
}

function signOut(message) {
  live.reset();
  session.clear();
  signInMessage = message || null;
  if (location.hash !== '#/signin') {
    sessionStorage.setItem('handoff.next', location.hash);
    location.hash = '#/signin';
  } else {
    route();
  }
}
whenUnauthorized(signOut);

live.notice = disconnected => {
  const el = document.getElementById('connection');
  el.hidden = !disconnected;
  el.textContent = disconnected ? 'Live updates disconnected, reconnecting…' : '';
};

function updateNav() {
  const claims = session.claims();
  document.getElementById('nav').hidden = !claims;
  if (claims) {
    const role = (claims.groups || []).includes('admin') ? 'admin' : 'member';
    document.getElementById('who').textContent = `${claims.workspace || '?'} · ${role}`;
  }
}
document.getElementById('sign-out').addEventListener('click', () => signOut('You signed out.'));
// the fragment is the router's: the skip link moves the focus instead of navigating
document.getElementById('skip-link').addEventListener('click', e => { e.preventDefault(); main.focus(); });

// ---- routing -----------------------------------------------------------------------------------------------
const routes = [
  [/^\/signin$/, signInScreen, { public: true }],
  [/^\/briefs$/, briefsScreen],
  [/^\/briefs\/([^/]+)$/, briefScreen],
  [/^\/tasks\/([^/]+)$/, taskScreen],
  [/^\/settings$/, settingsScreen],
];

async function route() {
  takeTokenFromFragment();
  if (cleanup) { try { cleanup(); } catch { /* screen already gone */ } cleanup = null; }
  const raw = location.hash.replace(/^#/, '') || '/briefs';
  const [path, query] = raw.split('?');
  const params = new URLSearchParams(query || '');
  updateNav();
  for (const [pattern, screen, opts = {}] of routes) {
    const m = path.match(pattern);
    if (!m) continue;
    if (!opts.public && !session.token()) {
      sessionStorage.setItem('handoff.next', location.hash);
      location.replace('#/signin');
      return;
    }
    clear(main, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
    const ctx = { main, params, go: hash => { location.hash = hash; } };
    const screenMatch = m.slice(1).map(decodeURIComponent);
    try {
      const result = await screen(ctx, ...screenMatch);
      if (typeof result === 'function') cleanup = result;
    } catch (e) {
      if (e instanceof Problem && e.status === 401) return;
      if (e instanceof Problem && e.status === 404) {
        clear(main, h('h1', {}, 'Not found'), h('p', {}, e.message), h('p', {}, h('a', { href: '#/briefs' }, 'Back to the briefs')));
      } else {
        clear(main, h('h1', {}, 'Something went wrong'), problemBox(e instanceof Problem ? e : new Problem(0, { detail: String(e) })));
      }
    }
    return;
  }
  location.replace('#/briefs');
}

// after a navigation, screen readers start at the new screen (not on the first load: nothing to move away from)
window.addEventListener('hashchange', async () => {
  await route();
  if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
});
window.addEventListener('DOMContentLoaded', route);
if (document.readyState !== 'loading') route();

// ---- sign-in -----------------------------------------------------------------------------------------------
function signInScreen({ main }) {
  setTitle('Sign in');
  if (session.token() && !signInMessage) { location.replace(sessionStorage.getItem('handoff.next') || '#/briefs'); return; }
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Handoff'),
    signInMessage ? h('p', { class: 'notice', role: 'alert' }, signInMessage) : null,
    h('p', {}, 'Paste a bearer token for your workspace. Locally, ', h('code', {}, './handoff console <workspace>'),
      ' prints a link that signs you in directly. The token is kept only in this browser tab.'),
    field({ label: 'Bearer token', name: 'token', type: 'textarea', rows: 4, required: true, autocomplete: 'off', spellcheck: 'false' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const token = form.token.value.trim().replace(/^Bearer\s+/i, '');
    const claims = decodeClaims(token);
    if (!claims) {
      showProblem(form, new Problem(0, { detail: 'That is not a token.', violations: [{ field: 'token', message: 'paste the whole JWT (three parts separated by dots)' }] }));
      return;
    }
    if (claims.exp && claims.exp * 1000 < Date.now()) {
      showProblem(form, new Problem(0, { detail: 'That token has expired.', violations: [{ field: 'token', message: 'get a fresh one' }] }));
      return;
    }
    live.reset();
    session.set(token);
    signInMessage = null;
    const next = sessionStorage.getItem('handoff.next');
    sessionStorage.removeItem('handoff.next');
    location.hash = next && next !== '#/signin' ? next : '#/briefs';
  });
  clear(main, form);
  signInMessage = null;
}

// ---- briefs ------------------------------------------------------------------------------------------------
async function briefsScreen({ main, params }) {
  setTitle('Briefs');
  const cursor = params.get('cursor');
  const path = cursor ? `/api/briefs?limit=20&cursor=${encodeURIComponent(cursor)}` : '/api/briefs?limit=20';
  const { data: briefs, headers } = await api('GET', path);
  const next = nextLink(headers);
  const nextCursor = next ? new URLSearchParams(next.split('?')[1] || '').get('cursor') : null;

  const list = briefs.length
    ? h('ul', { class: 'cards', 'aria-label': 'Briefs' }, briefs.map(b => h('li', { class: 'card' },
        h('h2', { class: 'card-title' }, h('a', { href: `#/briefs/${b.id}` }, b.title)),
        h('p', { class: 'muted' }, `Updated ${fmtTime(b.updatedAt)}`, b.contentLength != null ? ` · ${b.contentLength.toLocaleString()} characters` : ''))))
    : h('p', { class: 'muted' }, cursor ? 'No more briefs.' : 'No briefs yet. Create the first one below.');

  const form = h('form', { class: 'card', 'aria-labelledby': 'new-brief' },
    h('h2', { id: 'new-brief' }, 'New brief'),
    field({ label: 'Title', name: 'title', required: true, maxlength: 200 }),
    field({ label: 'Content', name: 'content', type: 'textarea', rows: 6, hint: 'Markdown. What the team (and the agents) should know.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create brief')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors(form);
    try {
      const { data } = await api('POST', '/api/briefs', { body: { title: form.title.value, content: form.content.value } });
      location.hash = `#/briefs/${data.id}`;
    } catch (err) { if (err.status !== 401) showProblem(form, err); }
  });

  clear(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Briefs')),
    list,
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      cursor ? h('a', { href: '#/briefs' }, '« First page') : null,
      nextCursor ? h('a', { href: `#/briefs?cursor=${encodeURIComponent(nextCursor)}`, rel: 'next' }, 'Next page »') : null),
    form);
}

async function briefScreen({ main, params }, id) {
  let { data: brief, etag } = await api('GET', `/api/briefs/${encodeURIComponent(id)}`);
  setTitle(brief.title);
  const tasksBox = h('div');
  const view = h('section', { class: 'card', 'aria-labelledby': 'brief-title' });

  function showView() {
    const content = h('div', { class: 'markdown' });
    content.innerHTML = renderMarkdown(brief.content || ''); // escaped by the renderer, see markdown.js
    clear(view,
      h('div', { class: 'page-head' }, h('h1', { id: 'brief-title' }, brief.title),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: showEdit }, 'Edit brief'),
          h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete brief'))),
      h('p', { class: 'muted' }, `Updated ${fmtTime(brief.updatedAt)}`),
      brief.content ? content : h('p', { class: 'muted' }, 'No content yet.'));
  }

  function showEdit() {
    const form = h('form', { 'aria-labelledby': 'edit-brief' },
      h('h1', { id: 'edit-brief' }, 'Edit brief'),
      field({ label: 'Title', name: 'title', value: brief.title, required: true, maxlength: 200 }),
      field({ label: 'Content', name: 'content', type: 'textarea', rows: 14, value: brief.content || '', hint: 'Markdown' }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save brief'),
        h('button', { type: 'button', onclick: showView }, 'Cancel')));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      try {
        const res = await api('PUT', `/api/briefs/${brief.id}`, {
          body: { title: form.title.value, content: form.content.value }, headers: etag ? { 'If-Match': etag } : {} });
        brief = res.data; etag = res.etag || null;
        setTitle(brief.title);
        showView();
      } catch (err) {
        if (err.status === 401) return;
        showProblem(form, staleWords(err), err.status === 412 ? reloadButton() : null);
      }
    });
    clear(view, form);
    form.title.focus();
  }

  async function remove() {
    if (!confirm(`Delete the brief "${brief.title}" and its tasks? This cannot be undone.`)) return;
    try {
      await api('DELETE', `/api/briefs/${brief.id}`, { headers: etag ? { 'If-Match': etag } : {} });
      location.hash = '#/briefs';
    } catch (err) {
      if (err.status !== 401) view.prepend(problemBox(staleWords(err)));
    }
  }

  showView();
  clear(main, h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/briefs' }, 'Briefs'), ' › ', brief.title), view, tasksBox);
  return briefTasks(tasksBox, brief);
}

async function briefTasks(box, brief) {
  let tasks = [];
  let more = null;
  const list = h('ul', { class: 'task-list', 'aria-label': 'Tasks' });
  const moreBox = h('div');

  async function load(path) {
    const { data, headers } = await api('GET', path);
    tasks = tasks.concat(data);
    more = nextLink(headers);
    render();
  }
  function render() {
    clear(list, tasks.length ? tasks.map(t => h('li', { class: 'task-row', 'data-task-id': t.id },
      h('a', { href: `#/tasks/${t.id}` }, t.title),
      statusBadge(t.agentRun?.status))) : h('li', { class: 'muted' }, 'No tasks yet.'));
    clear(moreBox, more ? h('button', { type: 'button', onclick: () => load(more) }, 'More tasks') : null);
  }

  const create = h('form', { class: 'card', 'aria-labelledby': 'new-task' },
    h('h2', { id: 'new-task' }, 'New task'),
    field({ label: 'Task title', name: 'title', required: true, maxlength: 200 }),
    field({ label: 'Task description', name: 'description', type: 'textarea', rows: 4, hint: 'Markdown' }),
    field({ label: 'Acceptance criteria', name: 'acceptanceCriteria', type: 'textarea', rows: 3, hint: 'One per line' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create task')));
  create.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors(create);
    try {
      const criteria = create.acceptanceCriteria.value.split('\n').map(s => s.trim()).filter(Boolean);
      const { data } = await api('POST', `/api/briefs/${brief.id}/tasks`,
        { body: { title: create.title.value, description: create.description.value, acceptanceCriteria: criteria, subtasks: [] } });
      location.hash = `#/tasks/${data.id}`;
    } catch (err) { if (err.status !== 401) showProblem(create, err); }
  });

  const result = h('div', { role: 'status', 'aria-live': 'polite' });
  const importForm = h('form', { class: 'card', 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, 'Import from Task Master'),
    field({ label: 'Task Master tasks.json', name: 'file', type: 'file', accept: '.json,application/json', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Import tasks')), result);
  importForm.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors(importForm);
    clear(result);
    const file = importForm.file.files[0];
    if (!file) return;
    const text = await file.text();
    try { JSON.parse(text); } catch {
      showProblem(importForm, new Problem(0, { detail: `${file.name} is not JSON.`, violations: [{ field: 'file', message: 'choose a Task Master tasks.json' }] }));
      return;
    }
    try {
      const { data } = await api('POST', `/api/briefs/${brief.id}/tasks/import`, { rawBody: text });
      clear(result, h('p', {}, `Imported ${data.imported} task${data.imported === 1 ? '' : 's'} from ${file.name}:`),
        h('ul', {}, (data.tasks || []).map(t => h('li', {}, h('a', { href: `#/tasks/${t.id}` }, t.title),
          ` (${t.acceptanceCriteria?.length || 0} criteria, ${t.subtasks?.length || 0} subtasks)`))));
      tasks = tasks.concat(data.tasks || []);
      render();
    } catch (err) { if (err.status !== 401) showProblem(importForm, err); }
  });

  clear(box, h('section', { 'aria-labelledby': 'tasks-title', class: 'card' }, h('h2', { id: 'tasks-title' }, 'Tasks'), list, moreBox),
    h('div', { class: 'two' }, create, importForm));
  await load(`/api/briefs/${brief.id}/tasks?limit=100`);

  return live.subscribe((type, event) => {
    if (type !== 'run.status-changed') return;
    const task = tasks.find(t => t.id === event.taskId);
    if (!task) return;
    const current = task.agentRun;
    // ignore an older run's late event: keep the newest run and, within it, the highest version
    if (current && current.runId !== event.runId && current.updatedAt && event.occurredAt && event.occurredAt < current.updatedAt) return;
    if (current && current.runId === event.runId && current.version != null && event.version != null && event.version < current.version) return;
    task.agentRun = { ...(current || {}), runId: event.runId, status: event.status, version: event.version, updatedAt: event.occurredAt };
    const badge = list.querySelector(`[data-task-id="${CSS.escape(task.id)}"] .badge`);
    if (badge) badge.replaceWith(statusBadge(event.status));
  });
}
