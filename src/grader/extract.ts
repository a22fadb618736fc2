// Answer extraction, following the paper's grader (Qwen2.5-Math `extract_answer`, paper.md section 6).
// Rules are tried in this order; the first that applies wins:
//   1. Minerva: "final answer is $…$. I hope"            (text between the two markers)
//   2. the last occurrence of the substring `boxed`      (brace-matched; without a brace, up to the next `$`)
//   3. the text after the last "he answer is"            ("The answer is", "the answer is")
//   4. the text after the last "final answer is"
//   5. the text after the first "答案是"                  (up to a blank line)
//   6. the last number in the text (commas removed)
// `\fbox` is not an answer marker, as in the paper. Where this file departs from the paper, the comment
// says so and why.

export interface ExtractOptions {
  /** R1 template (base models): only the text after the last `<answer>` counts (paper's `_r1_style`). */
  r1Style?: boolean;
  /** Rule 6, the last-number fallback (on by default, as in the paper's reward). */
  lastNumber?: boolean;
}

export type ExtractionRule = 'minerva' | 'boxed' | 'the-answer-is' | 'final-answer-is' | 'chinese' | 'last-number';

export interface Extraction {
  /** The answer text, lightly cleaned (not normalised); null when nothing non-empty was found. */
  answer: string | null;
  /** Which rule produced it; null when none applied. */
  rule: ExtractionRule | null;
}

/** The R1-template answer region: text after the last `<answer>`, up to a closing `</answer>`. */
export function r1AnswerRegion(text: string): string {
  const i = text.lastIndexOf('<answer>');
  const s = i >= 0 ? text.slice(i + '<answer>'.length) : text;
  // The paper calls Python's rstrip("</answer>"), which strips any trailing run of the characters
  // < / a n s w e r > (so "x = answer" loses "answer") and keeps text after the closing tag. We end the
  // region at the closing tag, the answer's real end; with the paper's `</answer>` stop string nothing
  // follows it anyway.
  const close = s.indexOf('</answer>');
  return close >= 0 ? s.slice(0, close) : s;
}

/** Content after the last `boxed`, as the paper reads it; null when `boxed` does not occur. */
export function lastBoxedContent(text: string): string | null {
  const i = text.lastIndexOf('boxed');
  if (i < 0) return null;
  let rest = text.slice(i + 'boxed'.length);
  // The paper requires the brace right after `boxed`; `\boxed {5}` is common enough in model output
  // that we skip spaces before the brace (the paper would read "{5}" up to the next `$`, then unbrace it).
  const trimmed = rest.replace(/^[ \t]+/, '');
  if (trimmed.startsWith('{')) rest = trimmed;
  if (rest.length === 0) return '';
  if (rest[0] === '{') {
    let depth = 1;
    let out = '';
    for (let k = 1; k < rest.length; k++) {
      const c = rest[k]!;
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) break;
      }
      out += c;
    }
    return out; // an unclosed brace keeps everything to the end, as in the paper
  }
  // `\boxed 5$` (TeX's brace-less argument form): up to the next `$`.
  return rest.split('$')[0]!.trim();
}

// "The answer is 5. Next we …": the paper keeps everything after the phrase. We stop at the end of the
// line or sentence (a period followed by whitespace, outside `$…$`), so a trailing remark does not turn a
// right answer into garbage; a phrase at the very end (the usual case) reads the same either way.
function phraseAnswer(rest: string): string {
  let s = rest.replace(/^[\s:]+/, '');
  if (s.startsWith('$')) {
    const m = /^\$\$?([^$]*)\$/.exec(s);
    if (m) return m[1]!;
  }
  const nl = s.indexOf('\n');
  if (nl >= 0) s = s.slice(0, nl);
  let inMath = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '$') inMath = !inMath;
    else if (c === '.' && !inMath && (k + 1 === s.length || /\s/.test(s[k + 1]!))) return s.slice(0, k);
  }
  return s;
}

const NUMBER_RE = /-?\d*\.?\d+/g;

/** The last number in the text, commas removed (the paper's fallback); null when there is none. */
export function lastNumber(text: string): string | null {
  const matches = text.replace(/,/g, '').match(NUMBER_RE);
  return matches && matches.length > 0 ? matches[matches.length - 1]! : null;
}

// The paper's post-processing of every extraction: join lines, drop a leading ':' and one trailing '.' or '/'.
function clean(pred: string): string {
  let s = pred.replace(/\n\s*/g, '');
  if (s.startsWith(':')) s = s.slice(1);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.endsWith('/')) s = s.slice(0, -1);
  return s.trim();
}

/** Extracts the final answer and says which rule found it. */
export function extractAnswerDetailed(response: string, options: ExtractOptions = {}): Extraction {
  // "ки" is a step tag some PRM-formatted outputs carry; the paper deletes it before extracting.
  let text = response.replace(/ки/g, '');
  if (options.r1Style) text = r1AnswerRegion(text);

  let pred: string | null = null;
  let rule: ExtractionRule | null = null;
  const minervaStart = text.indexOf('final answer is $');
  if (minervaStart >= 0 && text.includes('$. I hope')) {
    const after = text.slice(minervaStart + 'final answer is $'.length);
    const end = after.indexOf('$. I hope');
    // The paper's split takes the whole remainder when "$. I hope" only occurs before the phrase.
    pred = (end >= 0 ? after.slice(0, end) : after).trim();
    rule = 'minerva';
  } else if (text.includes('boxed')) {
    pred = lastBoxedContent(text);
    rule = 'boxed';
  } else if (text.includes('he answer is')) {
    pred = phraseAnswer(text.slice(text.lastIndexOf('he answer is') + 'he answer is'.length));
    rule = 'the-answer-is';
  } else if (text.includes('final answer is')) {
    pred = phraseAnswer(text.slice(text.lastIndexOf('final answer is') + 'final answer is'.length));
    rule = 'final-answer-is';
  } else if (text.includes('答案是')) {
    pred = text.slice(text.indexOf('答案是') + 3).trim().split('\n\n')[0]!.trim();
    rule = 'chinese';
  } else if (options.lastNumber !== false) {
    pred = lastNumber(text);
    rule = pred === null ? null : 'last-number';
  }
  if (pred === null) return { answer: null, rule: null };
  const answer = clean(pred);
  return { answer: answer === '' ? null : answer, rule };
}

/** The final answer of a response (see the rules above), or null when there is none. */
export function extractAnswer(response: string, options: ExtractOptions = {}): string | null {
  return extractAnswerDetailed(response, options).answer;
}

/**
 * The paper's box-only extraction, used by the format reward: the content after the last `boxed`
 * (no other rule, no last-number fallback), or null when `boxed` does not occur. With `r1Style` the
 * paper returns the whole `<answer>` region instead (so the R1 format reward is almost always 1).
 */
export function extractBoxed(response: string, options: Pick<ExtractOptions, 'r1Style'> = {}): string | null {
  const text = response.replace(/ки/g, '');
  if (options.r1Style) return clean(r1AnswerRegion(text));
  const content = lastBoxedContent(text);
  if (content === null) return null;
  return clean(content);
}
