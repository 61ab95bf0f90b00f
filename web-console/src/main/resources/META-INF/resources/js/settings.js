// Workspace settings, "Background agents": GET /api/agent-config for everyone, PUT for admins.
import { api, session, showProblem, clearErrors } from './api.js';
import { h, clear, field, fmtTime, setTitle } from './dom.js';

const PROVIDERS = [{ value: 'local', label: 'local (an agent CLI on the Handoff host)' }, { value: 'cursor', label: 'cursor (Cursor Cloud Agents)' }];

export async function settingsScreen({ main }) {
  setTitle('Background agents');
  const config = await api('GET', '/api/agent-config').then(r => r.data).catch(e => { if (e.status === 404) return null; throw e; });
  const admin = session.isAdmin();
  const state = h('div', { role: 'status', 'aria-live': 'polite' });

  const agents = config?.agents?.length ? config.agents : null;
  const form = h('form', { class: 'card settings', 'aria-labelledby': 'settings-title' },
    h('h1', { id: 'settings-title' }, 'Background agents'),
    h('p', {}, 'Which agent works on this workspace\'s tasks, and with which keys. Keys are stored in the vault; they are never shown again, only their last four characters.'),
    admin ? null : h('p', { class: 'notice', role: 'note' }, 'Only workspace admins can change these settings. You can see how they are set.'),
    state,
    h('fieldset', { disabled: !admin },
      h('legend', { class: 'visually-hidden' }, 'Agent configuration'),
      field({ label: 'Provider', name: 'provider', type: 'select', value: config?.provider || 'local', options: PROVIDERS }),
      agents
        ? field({ label: 'Agent', name: 'agent', type: 'select', value: config?.agent || agents[0], options: agents.map(a => ({ value: a })),
            hint: 'For the local provider: the agent CLI (the operator chooses which are offered)' })
        : field({ label: 'Agent', name: 'agent', value: config?.agent || '', hint: 'For the local provider: claude-code, codex, gemini, cursor-agent, opencode, demo or custom (empty: the operator\'s first)', spellcheck: 'false' }),
      field({ label: 'API key', name: 'apiKey', type: 'password', autocomplete: 'new-password',
        placeholder: config?.keyHint ? `stored: ${config.keyHint}` : '',
        hint: config?.keyHint ? `A key ending ${config.keyHint} is stored. Leave empty to keep it.` : 'Required for cursor. Written only: it is never shown again.' }),
      field({ label: 'Model', name: 'model', value: config?.model || '', hint: 'Optional: the provider\'s default when empty', spellcheck: 'false' }),
      field({ label: 'Git token', name: 'gitToken', type: 'password', autocomplete: 'new-password',
        placeholder: config?.gitTokenHint ? `stored: ${config.gitTokenHint}` : '',
        hint: config?.gitTokenHint ? `A token ending ${config.gitTokenHint} is stored. Leave empty to keep it.` : 'Optional: for this workspace\'s clones, pushes and pull requests.' }),
      field({ label: 'Enabled', name: 'enabled', type: 'checkbox', value: config ? config.enabled : true }),
      admin ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save')) : null));

  function showState(c) {
    clear(state, c
      ? h('p', { class: 'muted' }, `${c.enabled ? 'Enabled' : 'Turned off'} · provider ${c.provider}${c.agent ? ` · agent ${c.agent}` : ''}`,
          c.keyHint ? ` · key ${c.keyHint}` : ' · no key', c.gitTokenHint ? ` · git token ${c.gitTokenHint}` : '',
          c.verifiedAt ? ` · key verified ${fmtTime(c.verifiedAt)}` : '', c.updatedAt ? ` · updated ${fmtTime(c.updatedAt)}` : '')
      : h('p', { class: 'muted' }, 'Not set up yet: no agent can be launched in this workspace.'));
  }
  showState(config);

  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!admin) return;
    clearErrors(form);
    const body = { provider: form.provider.value, enabled: form.enabled.checked };
    if (form.agent.value.trim()) body.agent = form.agent.value.trim();
    if (form.model.value.trim()) body.model = form.model.value.trim();
    if (form.apiKey.value) body.apiKey = form.apiKey.value;
    if (form.gitToken.value) body.gitToken = form.gitToken.value;
    try {
      const { data } = await api('PUT', '/api/agent-config', { body });
      form.apiKey.value = '';
      form.gitToken.value = '';
      if (data.keyHint) form.apiKey.placeholder = `stored: ${data.keyHint}`;
      if (data.gitTokenHint) form.gitToken.placeholder = `stored: ${data.gitTokenHint}`;
      showState(data);
      state.prepend(h('p', { class: 'ok' }, 'Saved.'));
    } catch (err) {
      if (err.status === 401) return;
      // provider-rejected-key belongs beside the key even when the service names no field
      if (err.code === 'provider-rejected-key' && !err.violations.length) err.violations = [{ field: 'apiKey', message: 'the provider refused this key' }];
      showProblem(form, err);
    }
  });
  clear(main, form);
}
