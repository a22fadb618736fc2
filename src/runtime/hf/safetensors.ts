// Safetensors reading (and writing, for exports and test fixtures). The format: an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?},
// then the raw little-endian tensor bytes (offsets are relative to the end of the header).
// Tensors are read one at a time through a file handle, so a checkpoint is never held twice in memory.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { endianness } from 'node:os';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';
const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

if (endianness() !== 'LE') throw new SafetensorsError('safetensors: this reader assumes a little-endian machine');

/** Parses and validates the header of one .safetensors file (reads only the header bytes). */
export function readHeader(path: string): { tensors: Map<string, TensorInfo>; metadata: Record<string, string>; size: number } {
  if (!existsSync(path)) throw new SafetensorsError(`safetensors: file not found: ${path}`);
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new SafetensorsError(`safetensors: ${path} is ${size} bytes, too short for a header`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > size) throw new SafetensorsError(`safetensors: ${path} declares a ${n}-byte header but the file has ${size} bytes (not a safetensors file, or truncated)`);
    const hbuf = Buffer.alloc(n);
    readSync(fd, hbuf, 0, n, 8);
    let json: unknown;
    try {
      json = JSON.parse(hbuf.toString('utf8'));
    } catch (e) {
      throw new SafetensorsError(`safetensors: ${path} has a header that is not valid JSON (${(e as Error).message})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SafetensorsError(`safetensors: ${path} header is not a JSON object`);
    const dataStart = 8 + n;
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') {
        metadata = (raw ?? {}) as Record<string, string>;
        continue;
      }
      const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof r?.dtype !== 'string' || !Array.isArray(r.shape) || !Array.isArray(r.data_offsets) || r.data_offsets.length !== 2) {
        throw new SafetensorsError(`safetensors: ${path}: entry '${name}' lacks dtype/shape/data_offsets`);
      }
      if (!(r.dtype in BYTES)) {
        throw new SafetensorsError(`safetensors: ${path}: tensor '${name}' has dtype ${r.dtype}; supported dtypes are F32, F16 and BF16`);
      }
      const dtype = r.dtype as SafetensorsDtype;
      const shape = r.shape as number[];
      if (!shape.every(d => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`safetensors: ${path}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
      const [b, e] = r.data_offsets as number[];
      const count = shape.reduce((a, d) => a * d, 1);
      if (!Number.isInteger(b) || !Number.isInteger(e) || b! < 0 || e! < b! || e! - b! !== count * BYTES[dtype]) {
        throw new SafetensorsError(`safetensors: ${path}: tensor '${name}' has data_offsets [${b}, ${e}] that do not hold ${count} ${dtype} values`);
      }
      if (dataStart + e! > size) throw new SafetensorsError(`safetensors: ${path}: tensor '${name}' ends at byte ${dataStart + e!} past the end of the file (${size} bytes; truncated?)`);
      tensors.set(name, { dtype, shape, begin: dataStart + b!, end: dataStart + e! });
    }
    return { tensors, metadata, size };
  } finally {
    closeSync(fd);
  }
}

/** float16 bits → float32, exact (subnormals, infinities and NaN included). */
function f16ToF32(src: Uint16Array, out: Float32Array): void {
  const u = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0) {
      // ±0 or subnormal: man · 2^-24, representable exactly in float32
      out[i] = (sign ? -1 : 1) * man * 5.960464477539063e-8;
    } else if (exp === 31) {
      u[i] = sign | 0x7f800000 | (man << 13);
    } else {
      u[i] = sign | ((exp + 112) << 23) | (man << 13);
    }
  }
}

/** Raw little-endian bytes of one tensor → a fresh Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const n = bytes.byteLength / BYTES[dtype];
  if (dtype === 'F32') {
    // Copy into an aligned buffer (the source may be at any offset).
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const halves = new Uint16Array(n);
  new Uint8Array(halves.buffer).set(bytes);
  const out = new Float32Array(n);
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u[i] = halves[i]! << 16;
  } else {
    f16ToF32(halves, out);
  }
  return out;
}

/** One open .safetensors file; read() returns one tensor as float32 and keeps nothing. */
export class SafetensorsFile {
  readonly tensors: Map<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  private fd: number | null;

  constructor(readonly path: string) {
    const h = readHeader(path);
    this.tensors = h.tensors;
    this.metadata = h.metadata;
    this.fd = openSync(path, 'r');
  }

  read(name: string): { shape: number[]; data: Float32Array; dtype: SafetensorsDtype } {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(`safetensors: tensor '${name}' is not in ${this.path}`);
    if (this.fd === null) throw new SafetensorsError(`safetensors: ${this.path} is closed`);
    const bytes = new Uint8Array(info.end - info.begin);
    let off = 0;
    while (off < bytes.length) {
      const got = readSync(this.fd, bytes, off, bytes.length - off, info.begin + off);
      if (got <= 0) throw new SafetensorsError(`safetensors: short read of '${name}' in ${this.path}`);
      off += got;
    }
    return { shape: info.shape.slice(), data: toFloat32(bytes, info.dtype), dtype: info.dtype };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The tensors of a checkpoint directory: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json` ({"weight_map": {name: shard file}}). Shards are opened lazily.
 */
export class CheckpointReader {
  private readonly files = new Map<string, SafetensorsFile>();
  /** Tensor name → shard file name. */
  readonly weightMap: Map<string, string>;
  private readonly infos = new Map<string, TensorInfo>();

  constructor(readonly dir: string) {
    const single = join(dir, 'model.safetensors');
    const index = join(dir, 'model.safetensors.index.json');
    this.weightMap = new Map();
    if (existsSync(index)) {
      let j: { weight_map?: Record<string, string> };
      try {
        j = JSON.parse(readFileSync(index, 'utf8')) as typeof j;
      } catch (e) {
        throw new SafetensorsError(`safetensors: ${index} is not valid JSON (${(e as Error).message})`);
      }
      if (!j.weight_map || typeof j.weight_map !== 'object') throw new SafetensorsError(`safetensors: ${index} has no "weight_map" object`);
      for (const [name, file] of Object.entries(j.weight_map)) this.weightMap.set(name, file);
      // Check every shard's header up front: a missing or corrupt shard fails before any weight is built.
      for (const file of new Set(this.weightMap.values())) {
        const h = readHeader(join(dir, file));
        for (const [name, file2] of this.weightMap) {
          if (file2 !== file) continue;
          const info = h.tensors.get(name);
          if (!info) throw new SafetensorsError(`safetensors: ${index} places tensor '${name}' in ${file}, which does not contain it`);
          this.infos.set(name, info);
        }
      }
    } else if (existsSync(single)) {
      const h = readHeader(single);
      for (const [name, info] of h.tensors) {
        this.weightMap.set(name, 'model.safetensors');
        this.infos.set(name, info);
      }
    } else {
      throw new SafetensorsError(`safetensors: ${dir} has neither model.safetensors nor model.safetensors.index.json`);
    }
  }

  has(name: string): boolean {
    return this.weightMap.has(name);
  }

  info(name: string): TensorInfo | undefined {
    return this.infos.get(name);
  }

  names(): string[] {
    return [...this.weightMap.keys()];
  }

  read(name: string): { shape: number[]; data: Float32Array; dtype: SafetensorsDtype } {
    const file = this.weightMap.get(name);
    if (!file) throw new SafetensorsError(`safetensors: tensor '${name}' is not in the checkpoint ${this.dir}`);
    let f = this.files.get(file);
    if (!f) {
      f = new SafetensorsFile(join(this.dir, file));
      this.files.set(file, f);
    }
    return f.read(name);
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }
}

/** float32 → bfloat16 bits with round-to-nearest-even (what torch's .to(torch.bfloat16) does). */
export function f32ToBf16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return 0x7fc0; // NaN
  const rounded = u + 0x7fff + ((u >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** float32 → float16 bits, round-to-nearest-even, with subnormals and overflow to ±∞. */
export function f32ToF16Bits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let man = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = man >>> shift;
    const rest = man & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = man >>> 13;
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/**
 * Writes tensors (float32 values) as one .safetensors file in the given dtype, atomically. Tensors are
 * laid out in the given order with 8-byte-aligned header padding, as the reference implementation does.
 */
export function writeSafetensors(
  path: string,
  tensors: ReadonlyArray<{ name: string; shape: number[]; data: Float32Array }>,
  dtype: SafetensorsDtype = 'F32',
  metadata: Record<string, string> = { format: 'pt' },
): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.data.length) throw new SafetensorsError(`writeSafetensors: '${t.name}' has ${t.data.length} values but shape [${t.shape}]`);
    const n = count * BYTES[dtype];
    header[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const hlen = Buffer.byteLength(json);
  const buf = Buffer.alloc(8 + hlen + off);
  buf.writeBigUInt64LE(BigInt(hlen), 0);
  buf.write(json, 8, 'utf8');
  let p = 8 + hlen;
  for (const t of tensors) {
    if (dtype === 'F32') {
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, p);
      p += t.data.byteLength;
    } else {
      const conv = dtype === 'BF16' ? f32ToBf16Bits : f32ToF16Bits;
      for (let i = 0; i < t.data.length; i++, p += 2) buf.writeUInt16LE(conv(t.data[i]!), p);
    }
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, buf);
  renameSync(tmp, path);
}
