// The reward server of a verl run (issue 17, "one reward implementation"): verl's Python reward code
// (python/rlvrc_reward.py) posts the responses of a batch here and gets back the scores of the cell's
// compiled reward, the same function the tfjs engine calls. One server serves one cell.
//
//   POST /score  { "cell"?: ID, "requests": [{ data_source, solution_str, ground_truth,
//                  extra_info: { prompt_id, step?, sample_index?, majority_label?, example? } }, ...] }
//             → 200 { "scores": [number, ...] }   (in request order)
//             → 400 { "error": "..." }            (malformed, or missing what this cell's reward reads)
//   GET /health → 200 { "cell": ID, "reward": TEXT }
//
// Random rewards draw from a stream derived from (cell seed, step, prompt id, sample index) alone, so a
// score is a pure function of its request: the same on resume, whatever the order or concurrency of calls.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CellConfig, RewardNode } from '../../ir/cell.js';
import type { CompiledRewards } from '../../runtime/cell/run-cell.js';
import type { CellItem } from '../../runtime/cell/data.js';
import type { CellResponse } from '../../runtime/cell/train.js';
import { deriveSeed, Rng } from '../../runtime/rng.js';
import { describeErrors } from '../../runtime/run/schemas.js';
import { extractAnswer, gradeSample, majorityLabel } from '../../grader/index.js';
import { responseText } from '../../runtime/cell/prompts.js';

/** The env var the Python module reads the server's URL from. */
export const REWARD_URL_ENV = 'RLVRC_REWARD_URL';

export interface RewardServerOptions {
  rewards: CompiledRewards;
  cell: CellConfig;
  /** TCP host; loopback unless a multi-node run serves its workers from the head node. */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen on this Unix socket instead of TCP. */
  socketPath?: string;
  /** Largest request body accepted, bytes (default 256 MiB). */
  maxBodyBytes?: number;
}

export interface RewardServer {
  /** `http://127.0.0.1:PORT/score`, or `unix:///path/to.sock` (the path the Python module posts to: /score). */
  url: string;
  close(): Promise<void>;
}

/** What a reward expression reads from a request, beyond the response. */
export interface RewardNeeds {
  label: boolean;
  majority_label: boolean;
  /** Draws random numbers (so step and sample_index decide the score). */
  random: boolean;
  /** Reads an online (TTRL) majority label: only a group-level caller can supply it. */
  online: boolean;
}

export function rewardNeeds(node: RewardNode, into: RewardNeeds = { label: false, majority_label: false, random: false, online: false }): RewardNeeds {
  switch (node.op) {
    case 'correct':
      if (node.target === 'label') into.label = true;
      else {
        into.majority_label = true;
        if (node.online) into.online = true;
      }
      break;
    case 'random': into.random = true; break;
    case 'not': rewardNeeds(node.arg, into); break;
    case 'and': case 'or': for (const a of node.args) rewardNeeds(a, into); break;
    case 'sum': for (const t of node.terms) rewardNeeds(t.term, into); break;
    case 'if': rewardNeeds(node.cond, into); rewardNeeds(node.then, into); rewardNeeds(node.else, into); break;
    case 'named': rewardNeeds(node.reward, into); break;
    default: break;
  }
  return into;
}

/**
 * The random stream of one reward call: the cell's 'reward' seed (as the tfjs engine's session derives it)
 * with the step, prompt id and sample index as labels. A fresh stream per call, never a shared one.
 */
export function rewardRng(cell: Pick<CellConfig, 'seed'>, step: number, promptId: string, sampleIndex: number): Rng {
  return new Rng(deriveSeed(cell.seed, 'reward'), step, promptId, sampleIndex); // the scorer's stream, for tests and callers
}

export interface ScoreRequest {
  data_source: string;
  solution_str: string;
  ground_truth: string | null;
  extra_info: {
    prompt_id: string; step?: number; sample_index?: number; majority_label?: string | null; example?: number;
    /** 'test': a validation row of the eval named by data_source, graded against its label instead of rewarded; 'label': a label-phase row, answered with whether the response has an answer. */
    split?: 'train' | 'test' | 'label';
    /** The response's prompt group in this batch (verl's uid): online majority labels are voted within it. */
    group?: string;
    [more: string]: unknown;
  };
}

const REQUEST_SCHEMA = {
  type: 'object',
  required: ['requests'],
  additionalProperties: false,
  properties: {
    cell: { type: 'string' },
    requests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['data_source', 'solution_str', 'ground_truth', 'extra_info'],
        additionalProperties: false,
        properties: {
          data_source: { type: 'string' },
          solution_str: { type: 'string' },
          ground_truth: { type: ['string', 'null'] },
          extra_info: {
            type: 'object',
            required: ['prompt_id'],
            // Other keys verl or the data phase put in a row's extra_info are allowed and ignored.
            properties: {
              prompt_id: { type: 'string', minLength: 1 },
              step: { type: 'integer', minimum: 0 },
              sample_index: { type: 'integer', minimum: 0 },
              majority_label: { type: ['string', 'null'] },
              example: { type: 'integer', minimum: 0 },
              split: { enum: ['train', 'test', 'label'] },
              group: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv2020['compile']> | undefined;
function validate(body: unknown): string | null {
  validator ??= new Ajv2020({ allErrors: false, strict: true }).compile(REQUEST_SCHEMA);
  if (validator(body)) return null;
  return describeErrors(validator.errors, 1);
}

/** A scorer for one cell: validates a parsed body and returns its scores, or throws a RequestError. */
export function cellScorer(rewards: CompiledRewards, cell: CellConfig): (body: unknown) => number[] {
  const compiled = rewards[cell.reward.text];
  if (!compiled) throw new Error(`no compiled reward for '${cell.reward.text}' (cell '${cell.id}'); compile the spec again`);
  const needs = rewardNeeds(cell.reward.expr);
  const r1Style = cell.prompt.r1_style === true;
  const rewardSeed = deriveSeed(cell.seed, 'reward'); // a hash: once per scorer, not per sample
  const evalPrompt = new Map(cell.evals.map(e => [e.name, e.prompt]));
  // A validation row is graded as the tfjs engine grades an eval sample; rlvrc regrades verl's validation
  // dump afterwards anyway, so this is only what verl's own val metrics show.
  const validationScore = (r: ScoreRequest, where: string): number => {
    const prompt = evalPrompt.get(r.data_source);
    if (prompt === undefined) throw new RequestError(`${where}: a validation row (split 'test') of data_source '${r.data_source}', which is not an eval of cell '${cell.id}' (evals: ${[...evalPrompt.keys()].join(', ') || 'none'})`);
    if (r.ground_truth === null) throw new RequestError(`${where}: a validation row of eval '${r.data_source}' without a label (ground_truth null): evals grade against labels`);
    return gradeSample(responseText(prompt, r.solution_str), r.ground_truth, { r1Style: prompt.r1_style === true }).correct ? 1 : 0;
  };
  return body => {
    const problem = validate(body);
    if (problem) throw new RequestError(`malformed request: ${problem}`);
    const { cell: id, requests } = body as { cell?: string; requests: ScoreRequest[] };
    if (id !== undefined && id !== cell.id) throw new RequestError(`this server scores cell '${cell.id}', the request is for cell '${id}' (a stale ${REWARD_URL_ENV}?)`);
    const online = needs.online ? groupMajorities(requests, r1Style) : null;
    return requests.map((r, i) => {
      const x = r.extra_info;
      const where = `requests[${i}] (prompt '${x.prompt_id}')`;
      if (x.split === 'test') return validationScore(r, where);
      // The label phase's rows are voted on by rlvrc afterwards; verl's val metric then shows the answer rate.
      if (x.split === 'label') return extractAnswer(responseText(cell.prompt, r.solution_str), r1Style ? { r1Style } : {}) === null ? 0 : 1;
      if (needs.random && (x.step === undefined || x.sample_index === undefined)) {
        throw new RequestError(`${where}: reward '${cell.reward.text}' draws random numbers, so extra_info needs step and sample_index (verl's per-sample reward functions see only the Parquet row's extra_info, which cannot hold them: use rlvrc's group-level reward manager, RlvrcRewardManager, as the prepared verl.yaml does)`);
      }
      if (needs.label && r.ground_truth === null) throw new RequestError(`${where}: reward '${cell.reward.text}' reads the label, and ground_truth is null`);
      let majority = x.majority_label;
      if (online && x.group !== undefined) majority = online.get(x.group)!;
      if (needs.majority_label && majority === undefined) {
        throw new RequestError(`${where}: reward '${cell.reward.text}' reads the majority label, and extra_info has no majority_label${needs.online ? ' and no group (an online majority label is voted within the group: RlvrcRewardManager sends it)' : ' (the data phase writes it into each row)'}`);
      }
      const item: CellItem = { id: x.prompt_id, example: x.example ?? -1, question: '', prompt: '', label: r.ground_truth, majority_label: majority };
      const response: CellResponse = { text: r.solution_str, r1Style };
      const rng = needs.random ? new Rng(rewardSeed, x.step!, x.prompt_id, x.sample_index!) : NO_RNG;
      const score = compiled.reward(response, item, rng);
      if (typeof score !== 'number' || !Number.isFinite(score)) throw new Error(`${where}: reward '${cell.reward.text}' returned ${String(score)}`);
      return score;
    });
  };
}

/** The online majority label of each group of a batch: voted over the group's own responses (as TTRL does). */
function groupMajorities(requests: readonly ScoreRequest[], r1Style: boolean): Map<string, string | null> {
  const byGroup = new Map<string, string[]>();
  for (const r of requests) {
    const g = r.extra_info.group;
    if (g === undefined || (r.extra_info.split ?? 'train') !== 'train') continue;
    let texts = byGroup.get(g);
    if (!texts) byGroup.set(g, (texts = []));
    texts.push(r.solution_str);
  }
  return new Map([...byGroup].map(([g, texts]) => [g, majorityLabel(texts, { r1Style }).answer]));
}

/** Rewards that draw no random numbers get an rng that refuses to draw (a compiler bug would show at once). */
const NO_RNG = new Proxy({} as Rng, {
  get(_, prop) {
    if (prop === 'next' || prop === 'nextU32') return () => { throw new Error('this reward was judged not to draw random numbers, and drew one'); };
    return undefined;
  },
});

export class RequestError extends Error {}

/** Starts a cell's reward server; resolves once it listens. */
export async function startRewardServer(opts: RewardServerOptions): Promise<RewardServer> {
  const score = cellScorer(opts.rewards, opts.cell);
  const maxBody = opts.maxBodyBytes ?? 256 * 1024 * 1024;
  const server: Server = createServer((req, res) => handle(req, res));
  server.keepAliveTimeout = 60_000;

  function reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return reply(res, 200, { cell: opts.cell.id, reward: opts.cell.reward.text });
    if (path !== '/score') return reply(res, 404, { error: `no such endpoint ${req.method} ${path}: POST /score or GET /health` });
    if (req.method !== 'POST') return reply(res, 405, { error: `${req.method} /score: use POST` });
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > maxBody) {
        refused = true;
        reply(res, 413, { error: `request body over ${maxBody} bytes: send smaller batches` });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        return reply(res, 400, { error: `malformed request: the body is not JSON (${(e as Error).message})` });
      }
      try {
        reply(res, 200, { scores: score(body) });
      } catch (e) {
        if (e instanceof RequestError) reply(res, 400, { error: e.message });
        else reply(res, 500, { error: `reward failed: ${(e as Error).message}` });
      }
    });
    req.on('error', () => res.destroy());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (opts.socketPath !== undefined) server.listen(opts.socketPath, () => resolve());
    else server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  let url: string;
  if (opts.socketPath !== undefined) url = `unix://${opts.socketPath}`;
  else {
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('the reward server has no TCP address');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}/score`;
  }
  return {
    url,
    close: () => new Promise<void>((resolve, reject) => {
      server.close(err => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}
