// The grader: answer extraction, normalisation, equivalence and the evaluation metrics. Pure TypeScript
// with one dependency (@cortex-js/compute-engine, for the symbolic part): used by the runtime's reward
// primitives (the one reward library, src/runtime/cell/reward-primitives.ts) and by the CLI
// (`rlvrc grade`); it knows nothing of tfjs or of the compiler.
export {
  extractAnswer,
  extractAnswerDetailed,
  extractBoxed,
  lastBoxedContent,
  lastNumber,
  r1AnswerRegion,
  type Extraction,
  type ExtractionRule,
  type ExtractOptions,
} from './extract.js';
export { normalizeAnswer, wordNumber } from './normalize.js';
export {
  compareAnswers,
  isEquivalent,
  isTextAnswer,
  BUDGET_EXCEEDED,
  type CompareOptions,
  type Verdict,
} from './equivalence.js';
export { GRADER_BUDGET, GRADER_VERSION, graderRecord, type GraderBudget } from './budget.js';
export { parseRationalLiteral, type RationalLiteral } from './numeric.js';
export { detectRepetition, hasRepetition, type Repetition, type RepetitionOptions } from './repetition.js';
export {
  isIncorrectLabel,
  majorityLabel,
  majorityVote,
  type AnswerCluster,
  type MajorityLabelOptions,
  type MajorityVote,
} from './majority.js';
export {
  accuracyByCode,
  mentionsPython,
  avgAtK,
  boxedRate,
  codeRate,
  gradeSample,
  greedyPassAt1,
  majAtK,
  meanLength,
  meanPassAtK,
  passAtK,
  summarizeEval,
  type EvalSummary,
  type GradedSample,
  type GradeSampleOptions,
  type SplitAccuracy,
} from './metrics.js';
export {
  compareWith,
  DEFAULT_GRADER,
  gradeResponse,
  GRADER_DESCRIPTIONS,
  GRADERS,
  graderVersion,
  isGraderName,
  type GraderName,
  type ResponseGrade,
} from './choice.js';
export {
  compareMathVerify,
  extractMathVerify,
  gradeMathVerify,
  MATH_VERIFY_VERSION,
  exprTarget,
  latexTarget,
  stringTarget,
  type ExtractionTarget,
  type MathVerifyOptions,
  type MathVerifyResult,
} from './math-verify/index.js';
