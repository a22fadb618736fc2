// The graders a spec or `rlvrc grade` can choose (issue 20). No imports: the checker reads these names
// without loading the grader (and its symbolic engine).
export const GRADERS = ['paper', 'math_verify'] as const;
export type GraderName = (typeof GRADERS)[number];
/** The paper's grader: every spec that names no grader, and every result before issue 20, uses it. */
export const DEFAULT_GRADER: GraderName = 'paper';

export const isGraderName = (s: string): s is GraderName => (GRADERS as readonly string[]).includes(s);
