// Regenerates test/hf/fixtures/reference.json: writes the tiny checkpoints (helpers.ts), runs the
// independent PyTorch reference on them, and records each checkpoint's file hashes beside its outputs.
// Usage: npx tsx test/hf/reference/make-reference.ts [python]   (default python: /usr/bin/python3)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPECS, writeTinyCheckpoint } from '../helpers.js';

const python = process.argv[2] ?? '/usr/bin/python3';
const root = mkdtempSync(join(tmpdir(), 'hf-tiny-'));
try {
  const hashes: Record<string, Record<string, string>> = {};
  for (const s of SPECS) hashes[s.name] = writeTinyCheckpoint(join(root, s.name), s);
  const script = new URL('./reference.py', import.meta.url).pathname;
  const raw = execFileSync(python, [script, ...SPECS.map(s => join(root, s.name))], { maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: '1' } }).toString();
  const ref = JSON.parse(raw) as { torch: string; models: Record<string, Record<string, unknown>> };
  for (const s of SPECS) ref.models[s.name] = { files: hashes[s.name], ...ref.models[s.name] };
  const out = new URL('../fixtures/reference.json', import.meta.url).pathname;
  writeFileSync(out, JSON.stringify(ref) + '\n');
  console.log(`wrote ${out} (torch ${ref.torch}, ${SPECS.length} models)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
