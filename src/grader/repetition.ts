// Repetition detection for the no-repetition reward (paper App. E; the paper's `detect_repetition`):
// a response repeats when some substring of 10 to 256 characters occurs at least 10 times back to back.
// The paper tries every (length, start) pair and compares substrings; this does the same search in
// O(n · lengths) by noting that `count` back-to-back copies of a length-L pattern starting at s exist
// exactly when text[i] = text[i + L] for every i in [s, s + (count − 1)·L).

export interface RepetitionOptions {
  minLength?: number; // default 10
  maxLength?: number; // default 256
  minRepeats?: number; // default 10
}

export interface Repetition {
  pattern: string;
  start: number; // in characters (code points), like the paper's Python indices
  end: number; // exclusive: start + pattern length × count
  count: number;
}

/** The first repetition the paper's scan would report (shortest pattern, then earliest start), or null. */
export function detectRepetition(text: string, options: RepetitionOptions = {}): Repetition | null {
  const minLength = options.minLength ?? 10;
  const maxLength = options.maxLength ?? 256;
  const minRepeats = options.minRepeats ?? 10;
  if (minLength < 1 || minRepeats < 2 || maxLength < minLength) throw new RangeError('detectRepetition: bad options');
  // Python indexes code points; JS strings index UTF-16 units. Only split when it makes a difference.
  const chars: string[] | string = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : text;
  const n = chars.length;
  for (let L = minLength; L <= Math.min(maxLength, Math.floor(n / 2)); L++) {
    const needed = (minRepeats - 1) * L;
    let run = 0;
    for (let i = 0; i + L < n; i++) {
      if (chars[i] === chars[i + L]) {
        run++;
        if (run === needed) {
          const start = i - run + 1;
          let end = i + 1; // extend the run to count every copy, as the paper does
          while (end + L < n && chars[end] === chars[end + L]) end++;
          const count = 1 + Math.floor((end - start) / L);
          const slice = (a: number, b: number) => (typeof chars === 'string' ? chars.slice(a, b) : chars.slice(a, b).join(''));
          return { pattern: slice(start, start + L), start, end: start + count * L, count };
        }
      } else run = 0;
    }
  }
  return null;
}

/** True when the text repeats in the paper's sense (see detectRepetition). */
export function hasRepetition(text: string, options: RepetitionOptions = {}): boolean {
  return detectRepetition(text, options) !== null;
}
