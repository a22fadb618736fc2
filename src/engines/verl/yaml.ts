// verl.yaml: a deterministic YAML rendering of a lowered verl config, with the `yaml` library (2.x).
// Keys are sorted at every level, so equal configs give equal bytes (and equal hashes). Non-integer numbers
// are written with a decimal point and a signed exponent where they need one (5e-7 → 5.0e-07): the form
// every YAML reader takes as a float, including YAML 1.1 readers (PyYAML) that read a bare `5e-7` as a
// string. OmegaConf, which verl's Hydra entry point uses, reads both forms as floats.
import { Document, isScalar, parse, visit, type ScalarTag } from 'yaml';

/** A float as YAML 1.1 and 1.2 both read it: always a '.', exponents signed and two digits wide. */
export function yamlFloat(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}${m[2]}.${m[3] ?? '0'}e${m[4]}${m[5]!.padStart(2, '0')}`;
  return s.includes('.') ? s : `${s}.0`;
}

const floatTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: v => typeof v === 'number' && !Number.isInteger(v),
  test: /^[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?$/,
  resolve: str => parseFloat(str),
  stringify: ({ value }) => yamlFloat(Number(value)),
};

const YAML11_BOOLS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The YAML text of a plain object (nested records, arrays, strings, numbers, booleans, null). */
export function toYaml(value: Record<string, unknown>, header?: string): string {
  const doc = new Document(sortKeys(value), { customTags: tags => [floatTag, ...tags] });
  // Keys that YAML 1.1 reads as booleans ('n', 'y', 'on', ...; verl's rollout has a key 'n') are quoted,
  // as verl's own config file quotes them.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string' && YAML11_BOOLS.test(pair.key.value)) pair.key.type = 'QUOTE_SINGLE';
    },
  });
  if (header) doc.commentBefore = header.split('\n').map(l => (l ? ` ${l}` : '')).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Parse YAML text (verl's pinned config, or a verl.yaml written by toYaml) into plain values. */
export function parseYaml(text: string): unknown {
  return parse(text);
}
