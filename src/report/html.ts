// report.html: report.md as one self-contained page (no scripts, no fetches, opens from disk), with every
// figure's SVG inlined where report.md links it. Only the Markdown that report.md writes is understood:
// headings, paragraphs, list items, pipe tables, `code`, **bold** and ![alt](figure.svg) images.
import { FONT_FAMILY } from './font.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(s: string): string {
  return esc(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** Table cells of a pipe row; `\|` is a literal bar inside a cell. */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map(c => c.trim().replaceAll('\\|', '|'));
}

/** Clip-path and gradient ids of one figure made unique on the page (each SVG numbers its own from 1). */
function scopeIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`);
}

function table(lines: string[]): string {
  const head = cells(lines[0]!);
  const align = cells(lines[1]!).map(a => (a.endsWith(':') ? ' class="num"' : ''));
  let h = '<table>\n<thead><tr>' + head.map((c, i) => `<th${align[i] ?? ''}>${inline(c)}</th>`).join('') + '</tr></thead>\n<tbody>\n';
  for (const l of lines.slice(2)) h += '<tr>' + cells(l).map((c, i) => `<td${align[i] ?? ''}>${inline(c)}</td>`).join('') + '</tr>\n';
  return h + '</tbody>\n</table>\n';
}

const STYLE = `body{font-family:"${FONT_FAMILY}",sans-serif;font-size:14px;margin:24px auto;max-width:1400px;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}thead{background:#f3f3f3}
figure{margin:12px 0 24px}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:12px}code{font-size:12px}`;

/** The page for report.md; `figures` maps an SVG file name report.md links to its content. */
export function reportHtml(markdown: string, figures: Map<string, string>): string {
  const lines = markdown.split('\n');
  const title = (lines[0] ?? '').replace(/^#\s*/, '') || 'Report';
  const out: string[] = [];
  let para: string[] = [];
  let list: string[] = [];
  let figureNo = 0;
  const flush = (): void => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br>\n')}</p>`);
    if (list.length) out.push(`<ul>\n${list.map(l => `<li>${inline(l)}</li>`).join('\n')}\n</ul>`);
    para = [];
    list = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const image = /^!\[([^\]]*)\]\(([^)]+)\)$/.exec(line.trim());
    if (heading) {
      flush();
      out.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
    } else if (image) {
      flush();
      const svg = figures.get(image[2]!);
      figureNo++;
      out.push(`<figure>${svg ? scopeIds(svg, `f${figureNo}`) : `<p>(missing figure ${esc(image[2]!)})</p>`}</figure>`);
    } else if (line.startsWith('|')) {
      flush();
      const rows: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(lines[i++]!);
      i--;
      out.push(table(rows));
    } else if (line.startsWith('- ')) {
      if (para.length) flush();
      list.push(line.slice(2));
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list.length) flush();
      para.push(line);
    }
  }
  flush();
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n${out.join('\n')}\n</body>\n</html>\n`;
}
