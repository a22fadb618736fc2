// The one font every figure uses (DejaVu Sans, vendored in data/fonts with its licence), and its advance
// widths read straight from the TrueType tables. Vega measures text with a canvas, which Node lacks; its
// fallback guesses 0.8 em per character, so legends and labels were placed by a guess. Measuring with
// the font that resvg draws with puts every label where it really ends.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_FILE = fileURLToPath(new URL('../../data/fonts/DejaVuSans.ttf', import.meta.url));

export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width in font units of the glyph a code point maps to (the missing glyph's when unmapped). */
  advance(codePoint: number): number;
}

function tables(buf: Buffer): Map<string, { offset: number; length: number }> {
  const n = buf.readUInt16BE(4);
  const out = new Map<string, { offset: number; length: number }>();
  for (let i = 0; i < n; i++) {
    const rec = 12 + i * 16;
    out.set(buf.toString('latin1', rec, rec + 4), { offset: buf.readUInt32BE(rec + 8), length: buf.readUInt32BE(rec + 12) });
  }
  return out;
}

/** Code point → glyph id from the Windows Unicode BMP subtable (format 4), which every TrueType text font has. */
function cmapFormat4(buf: Buffer, cmap: number): (cp: number) => number {
  const count = buf.readUInt16BE(cmap + 2);
  for (let i = 0; i < count; i++) {
    const rec = cmap + 4 + i * 8;
    const [platform, encoding] = [buf.readUInt16BE(rec), buf.readUInt16BE(rec + 2)];
    const sub = cmap + buf.readUInt32BE(rec + 4);
    if (platform !== 3 || encoding !== 1 || buf.readUInt16BE(sub) !== 4) continue;
    const segs = buf.readUInt16BE(sub + 6) / 2;
    const ends = sub + 14;
    const starts = ends + segs * 2 + 2;
    const deltas = starts + segs * 2;
    const ranges = deltas + segs * 2;
    return cp => {
      if (cp > 0xffff) return 0;
      for (let s = 0; s < segs; s++) {
        if (cp > buf.readUInt16BE(ends + s * 2)) continue;
        const start = buf.readUInt16BE(starts + s * 2);
        if (cp < start) return 0;
        const delta = buf.readInt16BE(deltas + s * 2);
        const rangeAt = ranges + s * 2;
        const range = buf.readUInt16BE(rangeAt);
        if (range === 0) return (cp + delta) & 0xffff;
        const glyph = buf.readUInt16BE(rangeAt + range + (cp - start) * 2);
        return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
      }
      return 0;
    };
  }
  throw new Error('font has no Windows Unicode BMP cmap subtable');
}

export function readFontMetrics(path: string): FontMetrics {
  const buf = readFileSync(path);
  const t = tables(buf);
  const need = (name: string): number => {
    const e = t.get(name);
    if (!e) throw new Error(`${path}: not a TrueType font (no '${name}' table)`);
    return e.offset;
  };
  const unitsPerEm = buf.readUInt16BE(need('head') + 18);
  const hMetrics = buf.readUInt16BE(need('hhea') + 34);
  const hmtx = need('hmtx');
  const glyphOf = cmapFormat4(buf, need('cmap'));
  const cache = new Map<number, number>();
  return {
    unitsPerEm,
    advance(cp) {
      let w = cache.get(cp);
      if (w === undefined) {
        const g = glyphOf(cp);
        // Glyphs past numberOfHMetrics share the last advance (monospaced tails).
        w = buf.readUInt16BE(hmtx + Math.min(g, hMetrics - 1) * 4);
        cache.set(cp, w);
      }
      return w;
    },
  };
}

let metrics: FontMetrics | null = null;

/** Width in px of `text` at `fontSize` px in the report font: the sum of advances (no kerning, which only narrows). */
export function textWidth(text: string, fontSize: number): number {
  metrics ??= readFontMetrics(FONT_FILE);
  let units = 0;
  for (const ch of text) units += metrics.advance(ch.codePointAt(0)!);
  return (units / metrics.unitsPerEm) * fontSize;
}
