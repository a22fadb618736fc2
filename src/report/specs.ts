// Vega-Lite specs of the report's figures: small multiples of eval curves (mean line, min-max band, each
// seed faint) and grouped bars of gains with ± std whiskers and each seed as a dot (the paper's Figure 1).
// The data are the numbers figures.ts computed, rounded to 6 significant digits so the specs' golden
// files do not change with float noise. Scales are shared across panels (Vega-Lite's default for facets).
import { FONT_FAMILY, textWidth } from './font.js';
import type { CurveFigure, Figure, GainFigure } from './figures.js';

export type Spec = Record<string, unknown>;

const r6 = (x: number): number => Number(x.toPrecision(6));
/** Vega-Lite's default axis label size (CONFIG leaves it), used to size bar groups to their labels. */
const AXIS_LABEL_SIZE = 10;

export const CURVE_CAPTION = 'Line: mean over seeds. Band: min to max over seeds. Faint lines: each seed. n: seeds per line.';
export const GAIN_CAPTION = 'Bar: mean over seeds of (last evaluation − step 0). Whisker: ± sample std over seeds. Dots: each seed. n: seeds per bar.';

/** Text measured with the font resvg draws with (font.ts), never cut: no label limits anywhere. */
const CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 8,
  title: { fontWeight: 'normal', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', limit: 0 },
  axis: { labelLimit: 0, titleFontWeight: 'normal', titleLimit: 0 },
  legend: { labelLimit: 0, titleLimit: 0, titleFontWeight: 'normal', orient: 'right' },
  header: { labelLimit: 0, titleFontWeight: 'normal', labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#bbb' },
};

/** Colour scale: the legend labels (with n) in the figure's colour order, tableau10 or tableau20 by count. */
function colorEncoding(f: Figure): Spec {
  const domain = f.colors.map(c => f.legend.get(c)!);
  // Legend symbols at full strength, whatever the faintness of the layer (band, seeds) they come from.
  const legend: Spec = { title: f.layout.color.join(' · ') || null, symbolOpacity: 1 };
  if (f.kind === 'curve') Object.assign(legend, { symbolType: 'stroke', symbolStrokeWidth: 2 });
  if (domain.length > 16) legend.columns = Math.ceil(domain.length / 16);
  return { field: 'color', type: 'nominal', sort: domain, scale: { domain, scheme: domain.length <= 10 ? 'tableau10' : 'tableau20' }, legend };
}

/** Panels: rows × columns, or wrapped columns when there is no row axis and many columns. */
function facet(f: Figure, columnIsX: boolean): Spec | null {
  const column = !columnIsX && f.layout.column.length ? { field: 'column', type: 'nominal', sort: f.columns, title: f.layout.column.join(' · ') } : null;
  const row = f.layout.row.length ? { field: 'row', type: 'nominal', sort: f.rows, title: f.layout.row.join(' · ') } : null;
  if (!column && !row) return null;
  if (column && !row && f.columns.length > 4) return { facet: { ...column, columns: 4 } };
  return { facet: { ...(column ? { column } : {}), ...(row ? { row } : {}) } };
}

function wrap(f: Figure, title: Spec, values: Spec[], inner: Spec, columnIsX: boolean): Spec {
  const panels = facet(f, columnIsX);
  const head = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, data: { values } };
  return panels ? { ...head, ...panels, spec: inner, config: CONFIG } : { ...head, ...inner, config: CONFIG };
}

const where = (grid: string | null): string => (grid === null ? '' : ` · grid ${grid}`);

export function curveSpec(f: CurveFigure): Spec {
  const label = (c: string): string => f.legend.get(c)!;
  const values: Spec[] = [
    ...f.means.map(m => ({ layer: 'mean', column: m.column, row: m.row, color: label(m.color), step: m.step, value: r6(m.mean), lo: r6(m.lo), hi: r6(m.hi), n: m.n })),
    ...f.seeds.map(s => ({ layer: 'seed', column: s.column, row: s.row, color: label(s.color), seed: s.seed, step: s.step, value: r6(s.value) })),
  ];
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'value', type: 'quantitative', title: f.metric, scale: { zero: false } };
  const color = colorEncoding(f);
  const only = (layer: string) => [{ filter: `datum.layer === '${layer}'` }];
  const inner = {
    width: 200,
    height: 150,
    layer: [
      { transform: only('mean'), mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { transform: only('seed'), mark: { type: 'line', opacity: 0.3, strokeWidth: 1 }, encoding: { x, y, color, detail: { field: 'seed', type: 'nominal' } } },
      { transform: only('mean'), mark: { type: 'line', strokeWidth: 2, point: { size: 16 } }, encoding: { x, y, color } },
    ],
  };
  return wrap(f, { text: `${f.metric} over training${where(f.grid)}`, subtitle: CURVE_CAPTION }, values, inner, false);
}

/** Width of one bar when `groups` labels each sit under `barsPerGroup` bars: 18 px, or more for long labels. */
export function groupedBarStep(groups: readonly string[], barsPerGroup: number): number {
  const widest = Math.max(0, ...groups.map(g => textWidth(g, AXIS_LABEL_SIZE)));
  return Math.max(18, Math.ceil((widest + 8) / Math.max(1, barsPerGroup)));
}

export function gainSpec(f: GainFigure): Spec {
  const label = (c: string): string => f.legend.get(c)!;
  // With no panel axis the colour axis is the x axis itself (one bar per value).
  const columnIsX = f.layout.column.length > 0;
  const xField = columnIsX ? 'column' : 'color';
  const values: Spec[] = [
    ...f.bars.map(b => ({
      layer: 'bar', column: b.column, row: b.row, color: label(b.color), mean: r6(b.mean), n: b.n,
      ...(b.std === null ? {} : { lo: r6(b.mean - b.std), hi: r6(b.mean + b.std) }),
    })),
    ...f.cells.map(c => ({ layer: 'cell', column: c.column, row: c.row, color: label(c.color), seed: c.seed, gain: r6(c.gain) })),
  ];
  const xSort = columnIsX ? f.columns : f.colors.map(label);
  // Panel values are short and read across; colour labels (with their n) are long, so they slant.
  const x = { field: xField, type: 'nominal', sort: xSort, title: (columnIsX ? f.layout.column : f.layout.color).join(' · ') || null, axis: { labelAngle: columnIsX ? 0 : -40 } };
  const offset = columnIsX ? { xOffset: { field: 'color', type: 'nominal', sort: f.colors.map(label) } } : {};
  const color = colorEncoding(f);
  const yTitle = `change in ${f.metric}`;
  const only = (test: string) => [{ filter: test }];
  const inner = {
    // With xOffset the step is per bar, not per group of bars. A group is at least as wide as its
    // (horizontal) panel label, measured in the drawn font, so neighbouring labels never run together.
    width: { step: columnIsX ? groupedBarStep(f.columns, f.colors.length) : 28 },
    height: 180,
    layer: [
      { transform: only("datum.layer === 'bar'"), mark: { type: 'bar' }, encoding: { x, ...offset, y: { field: 'mean', type: 'quantitative', title: yTitle }, color } },
      { transform: only("datum.layer === 'bar' && isValid(datum.lo)"), mark: { type: 'rule', color: '#333' }, encoding: { x, ...offset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { transform: only("datum.layer === 'cell'"), mark: { type: 'point', filled: true, size: 10, color: '#222', opacity: 0.7 }, encoding: { x, ...offset, y: { field: 'gain', type: 'quantitative' } } },
      // The zero line, once per panel.
      { transform: [{ aggregate: [{ op: 'count', as: 'bars' }] }], mark: { type: 'rule', color: '#666' }, encoding: { y: { datum: 0 } } },
    ],
  };
  return wrap(f, { text: `Change in ${f.metric} from step 0 to the last evaluation${where(f.grid)}`, subtitle: GAIN_CAPTION }, values, inner, columnIsX);
}

export function figureSpec(f: Figure): Spec {
  return f.kind === 'curve' ? curveSpec(f) : gainSpec(f);
}
