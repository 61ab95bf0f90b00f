// A unified diff (git's) shown file by file: each line coloured by what it is (added, removed, hunk header, context)
// and its code lightly highlighted by the file's language (strings, comments, numbers, keywords). Built from text
// nodes only: nothing of the diff is ever parsed as HTML.
import { h } from './dom.js';

const LANGUAGES = {
  python: { ext: ['py'], comment: '#', keywords: 'def class return if elif else for while in not and or is None True False import from as with try except finally raise yield lambda pass break continue async await global nonlocal assert del' },
  js: { ext: ['js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx'], comment: '//', keywords: 'function return if else for while const let var new class extends import from export default async await try catch finally throw typeof instanceof null undefined true false this of in switch case break continue yield' },
  java: { ext: ['java', 'kt', 'scala', 'cs', 'c', 'h', 'cpp', 'hpp', 'go', 'rs', 'swift'], comment: '//', keywords: 'public private protected static final class interface enum record extends implements return if else for while new void int long boolean double float char byte short var val fun func package import try catch finally throw throws null true false this super switch case break continue default struct impl fn let mut pub use mod match type const go defer chan map range nil' },
  shell: { ext: ['sh', 'bash', 'zsh', 'yml', 'yaml', 'toml', 'rb', 'properties', 'conf', 'ini', 'dockerfile'], comment: '#', keywords: 'if then else elif fi for do done while case esac function return export local in echo set def end true false' },
};

function languageOf(name) {
  const base = name.split('/').pop().toLowerCase();
  const ext = base === 'dockerfile' ? 'dockerfile' : (base.includes('.') ? base.split('.').pop() : '');
  return Object.values(LANGUAGES).find(l => l.ext.includes(ext)) || null;
}

function tokenizer(lang) {
  const comment = lang.comment === '#' ? '#.*$' : '\\/\\/.*$';
  const keywords = lang.keywords.split(' ').join('|');
  return new RegExp(`(${comment})|("(?:\\\\.|[^"\\\\])*"|'(?:\\\\.|[^'\\\\])*')|\\b(\\d+(?:\\.\\d+)?)\\b|\\b(${keywords})\\b`, 'g');
}

/** The code of one diff line as nodes: plain text with spans for the tokens. */
function highlight(code, pattern) {
  if (!pattern) return [code];
  const out = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m; (m = pattern.exec(code)); ) {
    if (m[0] === '') { pattern.lastIndex++; continue; }
    if (m.index > last) out.push(code.slice(last, m.index));
    const kind = m[1] ? 'tok-comment' : m[2] ? 'tok-string' : m[3] ? 'tok-number' : 'tok-keyword';
    out.push(h('span', { class: kind }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < code.length) out.push(code.slice(last));
  return out;
}

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
  return h('div', { class: 'diff', 'aria-label': 'Diff' }, files.map(file => {
    const lang = languageOf(file.name);
    const pattern = lang ? tokenizer(lang) : null;
    return h('section', { class: 'diff-file' },
      h('h4', {}, h('code', {}, file.name), ' ', h('span', { class: 'added' }, `+${file.added}`), ' ', h('span', { class: 'removed' }, `−${file.removed}`)),
      h('pre', { tabindex: '0', 'aria-label': `Changes to ${file.name}` }, file.lines.map(line => {
        const kind = kindOf(line);
        const code = kind === 'add' || kind === 'del' || kind === 'ctx';
        return h('span', { class: `line ${kind}` }, code ? [line.slice(0, 1), highlight(line.slice(1), pattern)] : line, '\n');
      })));
  }));
}

function kindOf(line) {
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+++') || line.startsWith('---') || /^(index|new file|deleted file|similarity|rename|old mode|new mode|Binary|\\ No newline)/.test(line)) return 'meta';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'ctx';
}
