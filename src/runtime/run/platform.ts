// What machine and software a cell ran on, for the manifest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import type { Manifest } from './types.js';
import { packageVersion } from '../../util/package-version.js';

/** The rlvrc package version, or 'unknown' if package.json cannot be read. */
export function runtimeVersion(): string {
  try {
    return packageVersion();
  } catch {
    return 'unknown';
  }
}

/** The NVIDIA driver lists its GPUs under /proc without a subprocess; other GPUs are left to the runtime. */
function nvidiaGpu(): string | null {
  const root = '/proc/driver/nvidia/gpus';
  try {
    if (!existsSync(root)) return null;
    const models = readdirSync(root).map(d => {
      const info = readFileSync(`${root}/${d}/information`, 'utf8');
      return /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'NVIDIA GPU';
    });
    return models.length ? models.join(', ') : null;
  } catch {
    return null;
  }
}

export function platformInfo(): Manifest['platform'] {
  const list = cpus();
  return {
    os: `${platform()}`,
    arch: arch(),
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    cpu_cores: availableParallelism(),
    memory_bytes: totalmem(),
    gpu: nvidiaGpu(),
  };
}
