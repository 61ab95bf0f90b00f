// The task screen: the task (view and edit), the launch form, the current run live (status, activity, pull request
// and its diff, cancel / retry / follow up) and the run history.
import { api, showProblem, clearErrors, problemBox, Problem, staleWords, reloadButton } from './api.js';
import { h, clear, field, fmtTime, fmtDuration, statusBadge, setTitle } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { renderDiff } from './diff.js';
import { live } from './live.js';

const ACTIVE = new Set(['PENDING', 'RUNNING']);
const RANK = { PENDING: 0, RUNNING: 1, COMPLETED: 2, FAILED: 2, CANCELLED: 2 };
const isFinal = status => RANK[status] === 2;
const PR_PATH = /\/api\/pull-requests\/([^/?#]+)\/?$/;
/** Lines of activity kept in the page at once (all of them stay in memory; "Show earlier lines" brings them back). */
const ACTIVITY_WINDOW = 1000;
const ACTIVITY_PAGE = 200;
const KIND_WORDS = { step: 'step', log: 'log', message: 'agent', tool: 'tool', error: 'error', truncated: 'cut' };

export async function taskScreen({ main, params }, id) {
  const taskId = encodeURIComponent(id);
  const [taskRes, runsRes, config] = await Promise.all([
    api('GET', `/api/tasks/${taskId}`),
    api('GET', `/api/tasks/${taskId}/runs?limit=50`).catch(e => { if (e.status === 404) return { data: [] }; throw e; }),
    api('GET', '/api/agent-config').then(r => r.data).catch(e => { if (e.status === 404) return null; throw e; }),
  ]);
  let task = taskRes.data;
  let etag = taskRes.etag;
  let runs = runsRes.data || [];
  const seen = new Map(); // runId -> highest status rank seen (a late GET never moves a run back)
  const wantedRun = params.get('run');
  setTitle(task.title);

  const crumbName = h('span', {}, 'Brief');
  api('GET', `/api/briefs/${encodeURIComponent(task.briefId)}`).then(r => { crumbName.textContent = r.data.title; }).catch(() => {});
  const details = h('section', { class: 'card', 'aria-labelledby': 'task-title' });
  const agent = h('section', { class: 'card', 'aria-labelledby': 'agent-title' });
  const history = h('section', { class: 'card', 'aria-labelledby': 'history-title' });
  clear(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/briefs' }, 'Briefs'), ' › ',
      h('a', { href: `#/briefs/${task.briefId}` }, crumbName), ' › ', task.title),
    details, agent, history);

  // ---- the task ------------------------------------------------------------------------------------------
  function showTask() {
    const description = h('div', { class: 'markdown' });
    description.innerHTML = renderMarkdown(task.description || ''); // escaped by the renderer
    clear(details,
      h('div', { class: 'page-head' }, h('h1', { id: 'task-title' }, task.title),
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: editTask }, 'Edit task'))),
      task.description ? description : h('p', { class: 'muted' }, 'No description.'),
      h('h2', { class: 'small' }, 'Acceptance criteria'),
      task.acceptanceCriteria?.length ? h('ul', { class: 'criteria' }, task.acceptanceCriteria.map(c => h('li', {}, c))) : h('p', { class: 'muted' }, 'None.'),
      h('h2', { class: 'small' }, 'Subtasks'),
      task.subtasks?.length ? h('ol', { class: 'subtasks' }, task.subtasks.map(s => h('li', {}, h('strong', {}, s.title),
        s.description ? h('span', { class: 'muted' }, ` — ${s.description}`) : null))) : h('p', { class: 'muted' }, 'None.'));
  }

  function editTask() {
    const rows = h('ol', { class: 'subtask-rows' });
    const addRow = (s = {}) => {
      const i = rows.children.length;
      const row = h('li', { class: 'subtask-row', 'data-id': s.id || '' },
        field({ label: `Subtask ${i + 1} title`, name: `subtasks[${i}].title`, value: s.title || '' }),
        field({ label: `Subtask ${i + 1} description`, name: `subtasks[${i}].description`, value: s.description || '' }),
        h('button', { type: 'button', class: 'link', onclick: () => { row.remove(); renumber(); } }, `Remove subtask ${i + 1}`));
      rows.append(row);
    };
    // names and labels follow the position, so that a violation on subtasks[1].title lands beside the second row
    const renumber = () => [...rows.children].forEach((row, i) => {
      const labels = row.querySelectorAll('label');
      const inputs = row.querySelectorAll('input');
      labels[0].textContent = `Subtask ${i + 1} title`;
      labels[1].textContent = `Subtask ${i + 1} description`;
      inputs[0].name = `subtasks[${i}].title`;
      inputs[1].name = `subtasks[${i}].description`;
      row.querySelector('button').textContent = `Remove subtask ${i + 1}`;
    });
    (task.subtasks || []).forEach(addRow);
    const form = h('form', { 'aria-labelledby': 'edit-task' },
      h('h1', { id: 'edit-task' }, 'Edit task'),
      field({ label: 'Title', name: 'title', value: task.title, required: true, maxlength: 200 }),
      field({ label: 'Description', name: 'description', type: 'textarea', rows: 8, value: task.description || '', hint: 'Markdown' }),
      field({ label: 'Acceptance criteria', name: 'acceptanceCriteria', type: 'textarea', rows: 4, value: (task.acceptanceCriteria || []).join('\n'), hint: 'One per line' }),
      h('fieldset', {}, h('legend', {}, 'Subtasks'), rows,
        h('button', { type: 'button', onclick: () => addRow() }, 'Add subtask')),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save task'),
        h('button', { type: 'button', onclick: showTask }, 'Cancel')));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      clearErrors(form);
      const subtasks = [...rows.children].map(row => {
        const inputs = row.querySelectorAll('input');
        const s = { title: inputs[0].value, description: inputs[1].value };
        if (row.dataset.id) s.id = row.dataset.id;
        return s;
      });
      const body = {
        title: form.title.value, description: form.description.value,
        acceptanceCriteria: form.acceptanceCriteria.value.split('\n').map(s => s.trim()).filter(Boolean), subtasks,
      };
      try {
        const res = await api('PUT', `/api/tasks/${taskId}`, { body, headers: etag ? { 'If-Match': etag } : {} });
        task = res.data; etag = res.etag || null;
        setTitle(task.title);
        showTask();
      } catch (err) {
        if (err.status !== 401) showProblem(form, staleWords(err), err.status === 412 ? reloadButton() : null);
      }
    });
    clear(details, form);
    form.title.focus();
  }

  // ---- the agent: current run, actions, launch form ----------------------------------------------------------
  const runHead = h('div', { class: 'run-head' });
  const runActions = h('div', { class: 'actions run-actions' });
  const actionError = h('div');
  const prBox = h('div', { class: 'pr' });
  const activityList = h('ol', { class: 'activity', role: 'log', 'aria-label': 'Activity', tabindex: '0' });
  const activityEmpty = h('p', { class: 'muted activity-empty' }, 'No activity yet.');
  const earlierButton = h('button', { type: 'button', class: 'link earlier', hidden: true, onclick: () => showEarlier() }, 'Show earlier lines');
  const latestButton = h('button', { type: 'button', class: 'latest', hidden: true,
    onclick: () => { activityList.scrollTop = activityList.scrollHeight; latestButton.hidden = true; } }, 'Jump to the latest line');
  activityList.addEventListener('scroll', () => { if (isAtBottom()) latestButton.hidden = true; }, { passive: true });
  const activityBox = h('section', { class: 'activity-box', 'aria-labelledby': 'activity-title' },
    h('h3', { id: 'activity-title' }, 'Activity'), activityEmpty, earlierButton, activityList, latestButton);
  const followForm = h('form', { class: 'follow-up', 'aria-label': 'Follow up' },
    field({ label: 'Follow-up instructions', name: 'instructions', type: 'textarea', rows: 3, maxlength: 10000,
      hint: 'What the agent should do next on the same branch and pull request' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Follow up')));
  const runBox = h('div', { class: 'run' }, runHead, actionError, runActions, followForm, prBox, activityBox);
  const launchBox = h('div');

  clear(agent, h('h2', { id: 'agent-title' }, 'Background agent'), runBox, launchBox);

  let shownRunId = null;
  let activity = null; // {runId, entries (by seq), seqs: Set, pending: [], frame, from: first shown, contiguous, filling}
  let prLoadedFor = null;

  const shownRun = () => runs.find(r => r.id === shownRunId) || null;
  const latest = () => runs[0] || null;

  function chooseRun() {
    const wanted = wantedRun && runs.find(r => r.id === wantedRun);
    const run = wanted || latest();
    if ((run?.id || null) !== shownRunId) {
      shownRunId = run?.id || null;
      resetActivity();
      prLoadedFor = null;
      clear(prBox);
      if (run) loadActivity(run.id);
    }
  }

  function renderRun() {
    chooseRun();
    const run = shownRun();
    runBox.hidden = !run;
    if (!run) { renderLaunch(); return; }
    const started = run.startedAt || null;
    const end = run.finishedAt ? new Date(run.finishedAt) : (ACTIVE.has(run.status) && started ? new Date() : null);
    clear(runHead,
      h('h3', {}, run.id === latest()?.id ? 'Current run' : 'Earlier run', ' ', statusBadge(run.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Status'), h('dd', { class: 'run-status', 'data-status': run.status }, run.status),
        h('dt', {}, 'Provider'), h('dd', {}, run.provider || '—'),
        h('dt', {}, 'Repository'), h('dd', { class: 'wrap' }, run.repositoryUrl || '—'),
        h('dt', {}, 'Branches'), h('dd', {}, `${run.branch || '?'} → ${run.targetBranch || '?'}`),
        run.followUpOf ? [h('dt', {}, 'Follows up'), h('dd', {}, h('a', { href: `#/tasks/${task.id}?run=${run.followUpOf}` }, short(run.followUpOf)))] : null,
        h('dt', {}, 'Created'), h('dd', {}, fmtTime(run.createdAt)),
        h('dt', {}, 'Started'), h('dd', {}, fmtTime(run.startedAt)),
        h('dt', {}, 'Finished'), h('dd', {}, fmtTime(run.finishedAt)),
        started && end ? [h('dt', {}, 'Duration'), h('dd', {}, fmtDuration(end - new Date(started)))] : null,
        run.providerUrl ? [h('dt', {}, 'At the provider'), h('dd', {}, h('a', { href: run.providerUrl, target: '_blank', rel: 'noopener noreferrer' }, run.providerUrl))] : null,
        run.usage ? [h('dt', {}, 'Usage'), h('dd', { class: 'run-usage' }, usageWords(run.usage))] : null),
      run.instructions ? h('p', { class: 'instructions' }, h('strong', {}, 'Instructions: '), run.instructions) : null,
      run.error ? h('div', { class: 'run-error', role: 'alert' }, h('strong', {}, `Failed: ${run.error.code || 'error'}`), h('p', {}, run.error.message || '')) : null,
      run.summary ? h('div', { class: 'summary' }, h('strong', {}, 'Summary'), h('p', {}, run.summary)) : null,
      run.pullRequest ? prLine(run) : null);

    const isLatest = run.id === latest()?.id;
    // the buttons are rebuilt only when they change, so that focus (and a click under way) stays where it is
    const actionsKey = `${run.id}:${run.status}:${isLatest}`;
    if (runActions.dataset.key !== actionsKey) {
      runActions.dataset.key = actionsKey;
      clear(runActions,
        ACTIVE.has(run.status) ? h('button', { type: 'button', class: 'danger', onclick: () => act(run, 'cancel') }, 'Cancel run') : null,
        isFinal(run.status) && isLatest ? h('button', { type: 'button', onclick: () => act(run, 'retry') }, 'Retry') : null);
    }
    // a follow-up continues the run's pushed branch: offered for the task's latest run once it is final and has one
    const followable = isFinal(run.status) && isLatest && configured() && !!(run.pullRequest || run.status === 'COMPLETED');
    if (followForm.hidden === followable) clearErrors(followForm);
    followForm.hidden = !followable;
    if (run.pullRequest && prLoadedFor !== run.pullRequest.url) loadPullRequest(run.pullRequest.url);
    renderLaunch();
  }

  function prLine(run) {
    const m = run.pullRequest.url.match(PR_PATH);
    return h('p', { class: 'pr-line' }, h('strong', {}, 'Pull request: '),
      m ? h('a', { href: '#diff', onclick: e => { e.preventDefault(); document.getElementById('diff')?.scrollIntoView(); document.getElementById('diff')?.focus(); } }, `local pull request ${run.pullRequest.branch || ''}`.trim())
        : h('a', { href: run.pullRequest.url, target: '_blank', rel: 'noopener noreferrer' }, run.pullRequest.url),
      run.pullRequest.branch && !m ? ` (${run.pullRequest.branch})` : '');
  }

  async function loadPullRequest(url) {
    prLoadedFor = url;
    const m = url.match(PR_PATH);
    if (!m) { clear(prBox); return; }
    clear(prBox, h('p', { class: 'muted', role: 'status' }, 'Loading the pull request…'));
    try {
      const { data: pr } = await api('GET', `/api/pull-requests/${encodeURIComponent(m[1])}`);
      if (prLoadedFor !== url) return;
      clear(prBox, h('section', { id: 'diff', tabindex: '-1', 'aria-labelledby': 'pr-title', class: 'pr-view' },
        h('h3', { id: 'pr-title' }, pr.title || 'Pull request'),
        h('p', { class: 'muted' }, `${pr.head} → ${pr.base}`, pr.repositoryUrl ? ` · ${pr.repositoryUrl}` : ''),
        pr.body ? h('p', { class: 'pr-body' }, pr.body) : null,
        pr.commits?.length ? h('ul', { class: 'commits', 'aria-label': 'Commits' }, pr.commits.map(c =>
          h('li', {}, h('code', {}, (c.sha || '').slice(0, 8)), ' ', (c.message || '').split('\n')[0], c.author ? h('span', { class: 'muted' }, ` — ${c.author}`) : null))) : null,
        pr.diffStat ? h('pre', { class: 'diffstat' }, pr.diffStat) : null,
        renderDiff(pr.diff || '')));
    } catch (err) {
      if (err.status === 401) return;
      clear(prBox, problemBox(err));
    }
  }

  async function act(run, what) {
    clear(actionError);
    try {
      const { data } = await api('POST', `/api/runs/${run.id}/${what}`);
      upsert(data);
      if (what === 'retry') dropWanted();
      renderAll();
    } catch (err) {
      if (err.status !== 401) clear(actionError, problemBox(err));
      refreshRuns();
    }
  }

  followForm.addEventListener('submit', async e => {
    e.preventDefault();
    const run = shownRun();
    if (!run) return;
    clearErrors(followForm);
    followForm.dataset.idempotencyKey ||= newKey();
    const button = followForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const { data } = await api('POST', `/api/runs/${run.id}/followups`,
        { body: { instructions: followForm.instructions.value }, headers: { 'Idempotency-Key': followForm.dataset.idempotencyKey } });
      followForm.instructions.value = '';
      delete followForm.dataset.idempotencyKey;
      upsert(data);
      dropWanted();
      renderAll();
    } catch (err) {
      if (err.status !== 401) showProblem(followForm, err);
      if (err.status) delete followForm.dataset.idempotencyKey;
    } finally {
      button.disabled = false;
    }
  });

  function dropWanted() {
    if (wantedRun) history.replaceState(null, '', `#/tasks/${task.id}`);
  }

  const configured = () => !!(config && config.enabled);

  let launchForm = null;
  function renderLaunch() {
    const last = latest();
    if (!configured()) {
      clear(launchBox, h('div', { class: 'notice', role: 'note' },
        h('p', {}, config ? 'Background agents are turned off for this workspace.' : 'Background agents are not set up for this workspace yet.'),
        h('p', {}, h('a', { href: '#/settings' }, 'Go to the workspace settings (Background agents)'), ' to set them up.')));
      launchForm = null;
      return;
    }
    if (last && ACTIVE.has(last.status)) { clear(launchBox); launchForm = null; return; }
    if (launchForm && launchBox.contains(launchForm)) return; // keep what the user typed
    const providers = [...new Set([config.provider].filter(Boolean))];
    launchForm = h('form', { class: 'launch', 'aria-labelledby': 'launch-title' },
      h('h3', { id: 'launch-title' }, last ? 'Launch a new run' : 'Launch an agent on this task'),
      h('div', { class: 'grid' },
        field({ label: 'Repository URL', name: 'repositoryUrl', value: last?.repositoryUrl || '', required: true,
          hint: 'https://, ssh://, git@host:path, or file:// for the local provider', autocomplete: 'off', spellcheck: 'false' }),
        field({ label: 'Branch', name: 'branch', value: last?.branch || 'main', required: true, spellcheck: 'false' }),
        field({ label: 'Target branch', name: 'targetBranch', hint: 'Optional: the branch the agent creates (default handoff/<task>-<run>)', spellcheck: 'false' }),
        field({ label: 'Provider', name: 'provider', type: 'select', value: config.provider,
          options: providers.map(p => ({ value: p, label: p === 'local' ? `local${config.agent ? ` (${config.agent})` : ''}` : p })) })),
      field({ label: 'Instructions', name: 'instructions', type: 'textarea', rows: 3, maxlength: 10000, hint: 'Optional: anything the agent should know beyond the task' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Launch agent')));
    launchForm.addEventListener('submit', launch);
    clear(launchBox, launchForm);
  }

  async function launch(e) {
    e.preventDefault();
    const form = e.currentTarget;
    clearErrors(form);
    const body = { repositoryUrl: form.repositoryUrl.value.trim(), branch: form.branch.value.trim(), provider: form.provider.value };
    if (form.targetBranch.value.trim()) body.targetBranch = form.targetBranch.value.trim();
    if (form.instructions.value.trim()) body.instructions = form.instructions.value;
    // one key per launch attempt: a double click or a resend after a lost answer gets the same run, not a 409
    form.dataset.idempotencyKey ||= newKey();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const { data } = await api('POST', `/api/tasks/${taskId}/runs`, { body, headers: { 'Idempotency-Key': form.dataset.idempotencyKey } });
      launchForm = null;
      upsert(data);
      dropWanted();
      renderAll();
    } catch (err) {
      if (err.status === 401) return;
      const extra = err.code === 'run-already-active' && err.body.activeRunId
        ? h('button', { type: 'button', onclick: () => refreshRuns() }, 'Show the active run') : null;
      showProblem(form, err, extra);
      // refused: nothing was created, the next attempt (maybe with other values) is a new one
      if (err.status) delete form.dataset.idempotencyKey;
    } finally {
      button.disabled = false;
    }
  }

  // ---- activity ----------------------------------------------------------------------------------------------
  // Every entry of the shown run is kept in seq order (a run has at most HANDOFF_ACTIVITY_MAX_ENTRIES of the agent's);
  // the list in the page shows a window of the latest ones: its children are entries[from..], one per entry, so that
  // thousands of lines never become thousands of nodes. "Show earlier lines" widens the window upwards.
  function resetActivity() {
    if (activity?.frame) cancelAnimationFrame(activity.frame);
    activity = { runId: shownRunId, entries: [], seqs: new Set(), pending: [], frame: 0, from: 0, contiguous: 0, filling: false };
    clear(activityList);
    activityEmpty.hidden = false;
    earlierButton.hidden = true;
    latestButton.hidden = true;
  }

  function addActivity(runId, entries) {
    if (!activity || runId !== activity.runId) return;
    for (const entry of entries || []) {
      if (typeof entry.seq !== 'number' || activity.seqs.has(entry.seq)) continue;
      activity.seqs.add(entry.seq);
      activity.pending.push(entry);
    }
    if (activity.pending.length && !activity.frame) activity.frame = requestAnimationFrame(flushActivity);
  }

  // batched per frame: thousands of lines arrive in bursts, one layout per frame keeps the page responsive
  function flushActivity() {
    const a = activity;
    a.frame = 0;
    const incoming = a.pending.sort((x, y) => x.seq - y.seq);
    a.pending = [];
    const atBottom = isAtBottom();
    const tail = document.createDocumentFragment();
    let appended = 0;
    for (const entry of incoming) {
      const last = a.entries[a.entries.length - 1];
      if (!last || entry.seq > last.seq) {
        a.entries.push(entry);
        tail.append(activityLine(entry));
        appended++;
        continue;
      }
      // an older entry (the backlog arriving after live ones, or a gap filled): put it in its place
      const at = insertionPoint(a.entries, entry.seq);
      a.entries.splice(at, 0, entry);
      if (at < a.from) a.from++; // before the window: only counted in "show earlier"
      else activityList.insertBefore(activityLine(entry), activityList.children[at - a.from] || null);
    }
    activityList.append(tail);
    while (a.seqs.has(a.contiguous + 1)) a.contiguous++;
    // a hole in the numbering (events missed while disconnected and not replayed): ask the API for what is missing
    if (a.entries.length && a.entries[a.entries.length - 1].seq > a.contiguous) fillGap(a);
    trimActivity(atBottom);
    activityEmpty.hidden = a.entries.length > 0;
    if (atBottom) activityList.scrollTop = activityList.scrollHeight;
    else if (appended) latestButton.hidden = false;
    updateEarlier();
  }

  // keeps at most ACTIVITY_WINDOW lines in the page while the user follows the tail; reading further up, the list may
  // grow to twice that before its top is dropped (the scroll position is kept)
  function trimActivity(atBottom) {
    const a = activity;
    const shown = a.entries.length - a.from;
    const limit = atBottom ? ACTIVITY_WINDOW : 2 * ACTIVITY_WINDOW;
    if (shown <= limit) return;
    const drop = shown - ACTIVITY_WINDOW;
    const before = activityList.scrollHeight;
    for (let i = 0; i < drop; i++) activityList.firstElementChild.remove();
    a.from += drop;
    if (!atBottom) activityList.scrollTop -= before - activityList.scrollHeight;
  }

  function showEarlier() {
    const a = activity;
    if (!a || !a.from) return;
    const start = Math.max(0, a.from - ACTIVITY_WINDOW);
    const head = document.createDocumentFragment();
    for (let i = start; i < a.from; i++) head.append(activityLine(a.entries[i]));
    const before = activityList.scrollHeight;
    const top = activityList.scrollTop;
    activityList.prepend(head);
    a.from = start;
    activityList.scrollTop = top + activityList.scrollHeight - before; // the lines the user was reading stay put
    updateEarlier();
  }

  function updateEarlier() {
    const hidden = activity?.from || 0;
    earlierButton.hidden = !hidden;
    earlierButton.textContent = `Show earlier lines (${hidden.toLocaleString()} hidden)`;
  }

  function isAtBottom() {
    return activityList.scrollTop + activityList.clientHeight >= activityList.scrollHeight - 24;
  }

  function activityLine(entry) {
    const time = entry.at ? new Date(entry.at) : null;
    const kind = String(entry.kind || 'log').replace(/[^a-z-]/g, '');
    return h('li', { class: `entry kind-${kind}`, 'data-seq': entry.seq },
      h('time', { datetime: entry.at || '' }, time && !isNaN(time) ? time.toLocaleTimeString(undefined, { hour12: false }) : ''),
      h('span', { class: 'kind' }, KIND_WORDS[kind] || kind),
      h('span', { class: 'text' }, entry.text || ''));
  }

  // at most one request at a time, and the same hole asked about again only after a while (the API may not have it)
  async function fillGap(a, force = false) {
    if (a.filling || (!force && a.gapFor === a.contiguous && Date.now() - a.gapAt < 5000)) return;
    a.gapFor = a.contiguous;
    a.gapAt = Date.now();
    a.filling = true;
    try {
      await loadActivity(a.runId, a.contiguous);
    } finally {
      a.filling = false;
    }
  }

  /** Pages through GET /api/activity from a seq on; what it finds joins the list like live entries (no duplicates). */
  async function loadActivity(runId, after = 0) {
    for (let page = 0; page < 500; page++) {
      let data;
      try {
        ({ data } = await api('GET', `/api/activity?runId=${encodeURIComponent(runId)}&after=${after}&limit=${ACTIVITY_PAGE}`));
      } catch (err) {
        return; // 404 (an older notification-service, or not kept any more): the live stream still fills it
      }
      if (!Array.isArray(data) || !data.length || activity?.runId !== runId) return;
      addActivity(runId, data);
      after = data[data.length - 1].seq;
      if (data.length < ACTIVITY_PAGE) return;
    }
  }

  // ---- history -----------------------------------------------------------------------------------------------
  function renderHistory() {
    clear(history, h('h2', { id: 'history-title' }, 'Run history'),
      runs.length ? h('div', { class: 'table-scroll' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Run', 'Started', 'Outcome', 'Duration', 'Usage', 'Pull request'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, runs.map(r => h('tr', { 'aria-current': r.id === shownRunId ? 'true' : null, 'data-run-id': r.id },
          h('td', {}, h('a', { href: `#/tasks/${task.id}?run=${r.id}` }, short(r.id)),
            r.followUpOf ? h('span', { class: 'muted follow-up-of' }, ' follow-up of ', h('a', { href: `#/tasks/${task.id}?run=${r.followUpOf}` }, short(r.followUpOf))) : null),
          h('td', {}, fmtTime(r.startedAt || r.createdAt)),
          h('td', {}, statusBadge(r.status), r.error?.code ? h('span', { class: 'muted' }, ` ${r.error.code}`) : null),
          h('td', {}, r.finishedAt ? fmtDuration(new Date(r.finishedAt) - new Date(r.startedAt || r.createdAt)) : (ACTIVE.has(r.status) ? 'running…' : '—')),
          h('td', { class: 'usage' }, r.usage ? usageWords(r.usage) : '—'),
          h('td', {}, r.pullRequest ? (PR_PATH.test(r.pullRequest.url) ? (r.pullRequest.branch || 'local') : h('a', { href: r.pullRequest.url, target: '_blank', rel: 'noopener noreferrer' }, 'open')) : '—'))))))
        : h('p', { class: 'muted' }, 'No runs yet.'));
  }

  function renderAll() { renderRun(); renderHistory(); }

  // ---- keeping runs current ------------------------------------------------------------------------------
  function upsert(run) {
    const rank = RANK[run.status] ?? 0;
    const best = seen.get(run.id) ?? -1;
    const known = runs.find(r => r.id === run.id);
    if (rank < best && known) run = { ...run, status: known.status };
    seen.set(run.id, Math.max(best, rank));
    if (known) Object.assign(known, run);
    else runs = [run, ...runs].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }

  let refreshTimer = null;
  function refreshRuns() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      try {
        const { data } = await api('GET', `/api/tasks/${taskId}/runs?limit=50`);
        for (const r of data.slice().reverse()) upsert(r);
        renderAll();
      } catch { /* the next event tries again */ }
    }, 150);
  }

  runs.forEach(r => seen.set(r.id, RANK[r.status] ?? 0));
  showTask();
  renderAll();

  const unsubscribe = live.subscribe((type, event) => {
    if (type === 'live.reconnected') {
      // the stream replays what it kept; whatever it could not is asked of the API (no duplicates: by seq)
      if (activity?.runId) fillGap(activity, true);
      refreshRuns();
      return;
    }
    if (event.taskId && event.taskId !== task.id) return;
    if (type === 'run.activity') { addActivity(event.runId, event.entries); return; }
    if (type === 'run.status-changed') {
      const known = runs.find(r => r.id === event.runId);
      if (known) {
        upsert({ ...known, status: event.status, error: event.error || known.error });
        renderAll();
      }
    }
    refreshRuns();
  });
  const ticker = setInterval(() => {
    // the running duration moves on; never while the user is on one of the run's controls (it would lose focus)
    if (shownRun() && ACTIVE.has(shownRun().status) && !runBox.contains(document.activeElement)) renderRun();
  }, 5000);
  return () => { unsubscribe(); clearInterval(ticker); clearTimeout(refreshTimer); };
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts (https, localhost)
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
}

/** Where an entry with this seq goes in a list sorted by seq (binary search). */
function insertionPoint(entries, seq) {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].seq < seq) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function short(id) { return String(id || '').slice(0, 8); }

function usageWords(u) {
  const parts = [];
  if (u.durationMs != null) parts.push(fmtDuration(u.durationMs));
  if (u.inputTokens != null) parts.push(`${u.inputTokens.toLocaleString()} tokens in`);
  if (u.outputTokens != null) parts.push(`${u.outputTokens.toLocaleString()} out`);
  if (u.costUsd != null) parts.push(`$${Number(u.costUsd).toFixed(2)}`);
  return parts.join(' · ') || '—';
}
