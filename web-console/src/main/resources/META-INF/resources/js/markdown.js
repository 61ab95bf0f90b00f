// A small markdown renderer that is safe by construction: every piece of the source is HTML-escaped before any
// markup is added, and links keep only http(s) and mailto targets. No raw HTML from the source survives.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = s => String(s).replace(/[&<>"']/g, c => ESC[c]);

function safeUrl(url) {
  const u = url.trim();
  if (/^(https?:\/\/|mailto:)/i.test(u)) return u; // no in-page anchors: the fragment is the console's router
  return null;
}

function emphasis(s) {
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/__([^_]+)__/g, '<strong>$1</strong>');
  s = s.replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>').replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>');
  return s.replace(/~~([^~]+)~~/g, '<del>$1</del>');
}

function inline(text) {
  // code spans and links are set aside first, so that emphasis never reaches into code or a URL
  const kept = [];
  const keep = html => { kept.push(html); return `\u0000${kept.length - 1}\u0000`; };
  let s = text.replace(/`([^`]+)`/g, (_, code) => keep(`<code>${escapeHtml(code)}</code>`));
  s = escapeHtml(s);
  // links: the text and the URL are already escaped; the URL is then checked for its scheme
  s = s.replace(/\[([^\]]+)\]\(([^\s]+?)\)(?=$|[^)])/g, (all, label, url) => {
    const safe = safeUrl(url.replace(/&amp;/g, '&'));
    return safe ? keep(`<a href="${escapeHtml(safe)}" rel="noopener noreferrer" target="_blank">${emphasis(label)}</a>`) : label;
  });
  s = s.replace(/(^|[\s(])(https?:\/\/[^\s<)]+)/g, (all, pre, url) => pre + keep(`<a href="${url}" rel="noopener noreferrer" target="_blank">${url}</a>`));
  s = emphasis(s);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => kept[Number(i)]);
}

/** Markdown -> an HTML string made only of escaped text and the renderer's own tags. */
export function renderMarkdown(source) {
  const lines = String(source ?? '').replace(/\u0000/g, '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let para = [];
  let list = null; // {type: 'ul'|'ol', items: []}
  let quote = [];
  const flushPara = () => { if (para.length) { out.push(`<p>${inline(para.join(' '))}</p>`); para = []; } };
  const flushList = () => {
    if (list) { out.push(`<${list.type}>${list.items.map(i => `<li>${inline(i)}</li>`).join('')}</${list.type}>`); list = null; }
  };
  const flushQuote = () => { if (quote.length) { out.push(`<blockquote>${renderMarkdown(quote.join('\n'))}</blockquote>`); quote = []; } };
  const flushAll = () => { flushPara(); flushList(); flushQuote(); };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = line.match(/^\s*(```|~~~)\s*([\w+-]*)\s*$/);
    if (fence) {
      flushAll();
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^\s*>/.test(line)) { flushPara(); flushList(); quote.push(line.replace(/^\s*>\s?/, '')); continue; }
    flushQuote();
    const heading = line.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      flushAll();
      // headings inside content start at h3: the page has its own h1 and h2
      const level = Math.min(6, heading[1].length + 2);
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { flushAll(); out.push('<hr>'); continue; }
    const bullet = line.match(/^\s*[-*+]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    if (bullet || numbered) {
      flushPara();
      const type = bullet ? 'ul' : 'ol';
      if (list && list.type !== type) flushList();
      if (!list) list = { type, items: [] };
      list.items.push((bullet || numbered)[1].replace(/^\[( |x)\]\s+/i, (m, x) => x.trim() ? '☑ ' : '☐ '));
      continue;
    }
    if (!line.trim()) { flushAll(); continue; }
    if (list && /^\s{2,}\S/.test(line)) { list.items[list.items.length - 1] += ' ' + line.trim(); continue; }
    flushList();
    para.push(line.trim());
  }
  flushAll();
  return out.join('\n');
}
