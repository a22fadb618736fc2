// Which axis goes where in a figure: panels (columns, then rows) and line/bar colour. By default the grid's
// declared axis order decides, the way the paper lays its grid out: the first axis across the panels, the
// second as colour, any further ones as rows of panels; `--facet`/`--color` override per figure section.
// The seed is never an axis of a figure (figures summarise over seeds), nor is the grid (one section each).
import { MISSING, SEED_AXIS, GRID_AXIS, compareValues } from './table.js';
import type { LoadedCell } from './load.js';

export interface Layout {
  /** Axis names whose joined values label the panel columns, panel rows, and colours. */
  column: string[];
  row: string[];
  color: string[];
}

export interface LayoutRequest { facet?: string[]; color?: string[] }

/** Axes that vary within these cells, in the order the cells' configs declare them (seed and grid left out). */
export function sectionAxes(cells: LoadedCell[]): string[] {
  const names: string[] = [];
  for (const c of cells) for (const k of c.coords.keys()) if (!names.includes(k)) names.push(k);
  return names.filter(n => n !== SEED_AXIS && n !== GRID_AXIS && new Set(cells.map(c => c.coords.get(n) ?? MISSING)).size > 1);
}

export function chooseLayout(axes: string[], request: LayoutRequest = {}): Layout {
  const facet = (request.facet ?? []).filter(a => axes.includes(a));
  const color = (request.color ?? []).filter(a => axes.includes(a) && !facet.includes(a));
  const rest = axes.filter(a => !facet.includes(a) && !color.includes(a));
  if (facet.length === 0 && color.length === 0) {
    // One varying axis: one panel, a line per value. Else the first across, the second as colour.
    if (rest.length <= 1) return { column: [], row: [], color: rest };
    return { column: [rest[0]!], row: rest.slice(2), color: [rest[1]!] };
  }
  if (facet.length === 0) return { column: rest.slice(0, 1), row: rest.slice(1), color };
  if (color.length === 0) return { column: facet.slice(0, 1), row: [...facet.slice(1), ...rest.slice(1)], color: rest.slice(0, 1) };
  return { column: facet.slice(0, 1), row: [...facet.slice(1), ...rest], color };
}

/** A cell's value on a layout field (several axes joined with ' · '), '' for a field with no axes. */
export function fieldValue(cell: LoadedCell, axes: string[]): string {
  return axes.map(a => cell.coords.get(a) ?? MISSING).join(' · ');
}

/** The values of a field in the axes' value order (numbers numerically), as the figures and tables list them. */
export function sortedValues(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => {
    const pa = a.split(' · ');
    const pb = b.split(' · ');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const d = compareValues(pa[i]!, pb[i]!);
      if (d !== 0) return d;
    }
    return pa.length - pb.length;
  });
}
