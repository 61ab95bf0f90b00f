// A unified diff (git's) shown file by file, each line coloured by what it is: added, removed, hunk header, context.
import { h } from './dom.js';

export function renderDiff(diff) {
  const files = [];
  let current = null;
  for (const line of String(diff).replace(/\r\n?/g, '\n').split('\n')) {
    const header = line.match(/^diff --git a\/(.*) b\/(.*)$/);
    if (header) {
      current = { name: header[2], lines: [], added: 0, removed: 0 };
      files.push(current);
      continue;
    }
    if (!current) {
      if (!line) continue;
      current = { name: 'changes', lines: [], added: 0, removed: 0 };
      files.push(current);
    }
    current.lines.push(line);
    if (line.startsWith('+') && !line.startsWith('+++')) current.added++;
    else if (line.startsWith('-') && !line.startsWith('---')) current.removed++;
  }
  if (!files.length) return h('p', { class: 'muted' }, 'The diff is empty.');
  return h('div', { class: 'diff', 'aria-label': 'Diff' }, files.map(file => h('section', { class: 'diff-file' },
    h('h4', {}, h('code', {}, file.name), ' ', h('span', { class: 'added' }, `+${file.added}`), ' ', h('span', { class: 'removed' }, `−${file.removed}`)),
    h('pre', { tabindex: '0', 'aria-label': `Changes to ${file.name}` }, file.lines.map(line => h('span', { class: `line ${kindOf(line)}` }, line + '\n'))))));
}

function kindOf(line) {
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+++') || line.startsWith('---') || /^(index|new file|deleted file|similarity|rename|old mode|new mode|Binary)/.test(line)) return 'meta';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}
