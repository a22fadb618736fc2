// Shared by the verl engine tests: the checked cells of experiments/paper.rlvr (checked once per test
// process), verl's pinned config parsed with the same yaml library the engine emits with, and the
// Debian python3 + omegaconf probe.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { check } from '../../../src/checker/check.js';
import type { CellConfig } from '../../../src/ir/cell.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// Vendored copies (a clone has no ../shared): verl's config in data/verl, the paper's fact sheet in docs/.
export const PINNED_YAML = join(ROOT, 'data', 'verl', '_generated_ppo_trainer.yaml');
export const PAPER_MD = join(ROOT, 'docs', 'paper.md');
export const DEBIAN_PYTHON = '/usr/bin/python3';

let cells: CellConfig[] | undefined;
export function paperCells(): CellConfig[] {
  if (!cells) {
    const r = check(['experiments/paper.rlvr'], { cwd: ROOT });
    const errors = r.diagnostics.filter(d => d.severity === 'error');
    if (errors.length > 0) throw new Error(`experiments/paper.rlvr does not check: ${errors.map(d => d.code).join(', ')}`);
    cells = r.experiments[0]!.cells;
  }
  return cells;
}

export function paperCell(id: string): CellConfig {
  const c = paperCells().find(x => x.id === id);
  if (!c) throw new Error(`no cell ${id} in paper.rlvr`);
  return structuredClone(c);
}

/** The type of a value as YAML wrote it: int and float kept apart (the parsed JS number loses 1.0 vs 1). */
export type YamlType = 'null' | 'bool' | 'int' | 'float' | 'str' | 'list' | 'map';

/** Every key of verl's pinned config (dotted) with the type of its default as written. */
export function pinnedKeyTypes(): Map<string, YamlType> {
  const doc = parseDocument(readFileSync(PINNED_YAML, 'utf8'));
  const out = new Map<string, YamlType>();
  const walk = (node: Node | null, prefix: string): void => {
    if (isMap(node)) {
      if (prefix) out.set(prefix, 'map');
      for (const pair of node.items) {
        const k = String(isScalar(pair.key) ? pair.key.value : pair.key);
        walk(pair.value as Node | null, prefix ? `${prefix}.${k}` : k);
      }
    } else if (isSeq(node)) {
      out.set(prefix, 'list');
    } else if (isScalar(node)) {
      out.set(prefix, scalarType(node.value, node.source));
    } else {
      out.set(prefix, 'null');
    }
  };
  walk(doc.contents as Node, '');
  return out;
}

function scalarType(value: unknown, source: string | undefined): YamlType {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return /^[-+]?\d+$/.test(source ?? String(value)) ? 'int' : 'float';
  return 'str';
}

/** The YAML type a JS value will be written as (toYaml writes non-integers as floats). */
export function jsType(v: unknown): YamlType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  return 'map';
}

/**
 * Merges each YAML file (argv[2:]) into verl's pinned config (argv[1]) with omegaconf in struct mode (unknown
 * keys rejected) and checks every leaf reads back as written; prints {path: {ok, types | error}} as JSON.
 * Run with DEBIAN_PYTHON (python3-omegaconf).
 */
export const PY_MERGE = String.raw`
import json, sys
from omegaconf import OmegaConf
base = OmegaConf.load(sys.argv[1])
OmegaConf.set_struct(base, True)
out = {}
def leaves(node, prefix=''):
    if isinstance(node, dict) and node:
        for k, v in node.items():
            yield from leaves(v, f'{prefix}.{k}' if prefix else str(k))
    else:
        yield prefix, node
def tname(v):
    return {bool: 'bool', int: 'int', float: 'float', str: 'str', list: 'list', dict: 'map', type(None): 'null'}[type(v)]
for path in sys.argv[2:]:
    try:
        override = OmegaConf.load(path)
        merged = OmegaConf.merge(base, override)
        plain = OmegaConf.to_container(override)
        types = {}
        for key, value in leaves(plain):
            got = OmegaConf.select(merged, key)
            got = OmegaConf.to_container(got) if OmegaConf.is_config(got) else got
            if got != value:
                raise ValueError(f'{key}: merged value {got!r} is not the file value {value!r}')
            types[key] = tname(value)
        out[path] = {'ok': True, 'types': types}
    except Exception as e:
        out[path] = {'ok': False, 'error': f'{type(e).__name__}: {e}'.splitlines()[0]}
print(json.dumps(out))
`;
