// The grader's version and its work budget: what a verdict depends on besides the two answers. A verdict is
// a pure function of (prediction, gold, GRADER_VERSION, budget): no wall clock, so a loaded machine grades
// exactly like an idle one. Past the budget the verdict is "not equal (budget exceeded)", as the paper's
// grader answers "not equal" on its timeout. Run manifests record both (manifest.json `grader`).
// No engine import here, so the run layer can record them cheaply.

/** Bumped whenever a verdict of the grader can change for some input. */
export const GRADER_VERSION = 2;

export interface GraderBudget {
  /**
   * Work units per comparison: one per structure node compared, one per expression parsed (cached or not),
   * one per engine evaluation (a value, a value at one point) plus one per 25 nodes of its expression, and
   * for a simplification (terms of both expansions)² / 4 as well. About what the earlier 1-second time limit
   * allowed on an idle 2-core machine: a list of 48 symbolic elements against its reversal passes.
   */
  operations: number;
  /** Largest expression (MathJSON nodes) the symbolic engine is given. */
  nodes: number;
  /** Deepest expression (MathJSON nesting) the symbolic engine is given. */
  depth: number;
  /** Most digits of a number inside an expression given to the symbolic engine. */
  digits: number;
  /**
   * Most terms the full expansion of the difference of two expressions may have (estimated from the
   * expression: (x+1)^{40} has 41) for the engine to simplify it; above it only the numeric check runs.
   */
  expansionTerms: number;
  /** Iterations of a loop inside the engine (a sum or product over a range): the engine's iterationLimit. */
  iterations: number;
}

export const GRADER_BUDGET: Readonly<GraderBudget> = Object.freeze({
  operations: 10_000,
  nodes: 400,
  depth: 40,
  digits: 400,
  expansionTerms: 100,
  iterations: 10_000,
});

/** Bumped whenever a verdict of the Math-Verify grader (src/grader/math-verify) can change for some input. */
export const MATH_VERIFY_VERSION = 1;

/**
 * What a run's manifest records about the grader (`grader` in schema/manifest.schema.json); `math_verify`
 * only when the cell grades with it (a reward or an eval chose it), so other manifests are unchanged.
 */
export function graderRecord(mathVerify = false): { version: number; budget: GraderBudget; math_verify?: { version: number } } {
  return { version: GRADER_VERSION, budget: { ...GRADER_BUDGET }, ...(mathVerify ? { math_verify: { version: MATH_VERIFY_VERSION } } : {}) };
}
