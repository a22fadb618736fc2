// Measurements on responses, to check a family's calibration against Table 1 (code rate, accuracy with and
// without code) on a model's samples as well as on its corpus. The extraction is a local simplification of
// the paper's (last \boxed{...}, else the last number) that covers every text this world writes; the real
// grader lives in src/grader.

/** The paper's code detector: the response mentions `python`, any case. */
export function containsPython(text: string): boolean {
  return text.toLowerCase().includes('python');
}

/** Content of the last `\boxed{...}` (braces matched), else the last number, else null. */
export function extractAnswer(text: string): string | null {
  const at = text.lastIndexOf('\\boxed{');
  if (at >= 0) {
    let depth = 0;
    for (let i = at + 6; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) return text.slice(at + 7, i).trim();
    }
  }
  const numbers = text.replace(/,/g, '').match(/-?\d*\.?\d+/g);
  return numbers ? numbers[numbers.length - 1]! : null;
}

/** Numeric equality when both parse as numbers, else exact string equality. */
export function answersMatch(predicted: string | null, answer: string): boolean {
  if (predicted === null) return false;
  const a = Number(predicted);
  const b = Number(answer);
  return predicted.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) ? a === b : predicted.trim() === answer.trim();
}

export interface StrategyStats {
  n: number;
  /** Share of these responses whose extracted answer is right; null when n = 0. */
  accuracy: number | null;
}

export interface ResponseStats {
  n: number;
  codeRate: number;
  accuracy: number;
  /** Share of responses containing `boxed` (what the paper's format reward looks for). */
  boxedRate: number;
  code: StrategyStats;
  language: StrategyStats;
}

/** Code rate and accuracy overall and per strategy, for responses paired with their right answers. */
export function measureResponses(samples: ReadonlyArray<{ response: string; answer: string }>): ResponseStats {
  const acc = { code: { n: 0, right: 0 }, language: { n: 0, right: 0 } };
  let boxed = 0;
  for (const s of samples) {
    const bucket = containsPython(s.response) ? acc.code : acc.language;
    bucket.n++;
    if (answersMatch(extractAnswer(s.response), s.answer)) bucket.right++;
    if (s.response.includes('boxed')) boxed++;
  }
  const n = samples.length;
  const stat = (b: { n: number; right: number }): StrategyStats => ({ n: b.n, accuracy: b.n === 0 ? null : b.right / b.n });
  return {
    n,
    codeRate: n === 0 ? 0 : acc.code.n / n,
    accuracy: n === 0 ? 0 : (acc.code.right + acc.language.right) / n,
    boxedRate: n === 0 ? 0 : boxed / n,
    code: stat(acc.code),
    language: stat(acc.language),
  };
}
