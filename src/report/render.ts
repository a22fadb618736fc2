// Headless rendering: Vega-Lite spec → Vega → SVG (Vega's own SVG renderer, no DOM), SVG → PNG with resvg
// and the vendored font only, so a machine without fonts draws the same picture. Vega measures text with a
// canvas, which Node lacks; its fallback estimate (0.8 em a character) misplaces legends and labels, so
// its width function is replaced by one that sums the font's real advance widths (font.ts).
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, FONT_FILE, textWidth } from './font.js';
import type { Spec } from './specs.js';

interface TextItem { fontSize?: number | string }
interface TextMetrics { width(item: TextItem, text: unknown): number }

function measureWithFont(): void {
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  // Vega trims a line before drawing it; label limits are off in every spec (specs.ts), so nothing is cut.
  metrics.width = (item, text) => textWidth(text == null ? '' : String(text).trim(), item.fontSize != null ? Number(item.fontSize) || 0 : 11);
}

/** The SVG of a Vega-Lite spec; deterministic (ids restart for every figure). */
export async function renderSvg(spec: Spec): Promise<string> {
  measureWithFont();
  // Vega-Lite's notes on its own optimiser passes are not the user's concern.
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  vega.resetSVGDefIds();
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}
