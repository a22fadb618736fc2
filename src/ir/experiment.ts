// The checked experiment: its sources, grids and unique cells (each a CellConfig, cell.ts).
import type { CellConfig } from './cell.js';

export interface GridIR {
  name: string | null;
  axes: Array<{ path: string; values: string[] }>;
  /** Ids of this grid's cells, including cells identical to an earlier grid's (see duplicates). */
  cells: string[];
}

export interface ExperimentIR {
  name: string;
  file: string;
  /** sha256 of the spec file's text. */
  sourceSha256: string;
  /** Every file the experiment reads declarations from, with its sha256 (the spec file first). */
  sources: Array<{ file: string; sha256: string }>;
  language: number;
  seed: number;
  grids: GridIR[];
  /** Unique cells, in grid order; empty while the program has errors. */
  cells: CellConfig[];
  /** Cells identical to an earlier one (in another grid), which run once under the earlier id. */
  duplicates: Array<{ id: string; sameAs: string }>;
}
