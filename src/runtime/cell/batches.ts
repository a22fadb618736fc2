// Which training prompts a cell sees, in which order. The order is a shuffle of the dataset by the cell's
// 'data' seed. When the reward carries a `where` filter (the incorrect-label subset, one-shot RL), the
// prompts are taken in that order until enough pass it; majority labels, when the reward needs them, are
// computed for exactly the prompts examined, once, and cached (each a function of its key and prompt alone). Online majority labels (TTRL,
// `majority_label(online = true)`) are instead recomputed from the current policy for each step's batch
// (onlineMajorityLabels). Step s always gets the same batch, so a resumed run needs no data state.
import type { CellConfig } from '../../ir/cell.js';
import type { CellItem } from './data.js';
import type { Session } from './session.js';
import type { BuiltModel } from './model.js';
import { majorityLabels, onlineMajorityLabels } from './labels.js';
import { majoritySpecOf, type MajoritySpec } from './reward-tree.js';

export type ItemFilter = (item: CellItem) => boolean;

/** What batch(step) needs to label its prompts online: the spec and the policy being trained. */
interface Online { spec: MajoritySpec; built: BuiltModel; cell: CellConfig }

export class TrainingPrompts {
  private constructor(readonly items: readonly CellItem[], private readonly perStep: number, private readonly session: Session, private readonly online: Online | null = null) {}

  /** The prompts of the cell's training, examined in data order until `steps × prompts_per_step` pass the filter (or the data runs out). */
  static async select(all: CellItem[], cell: CellConfig, built: BuiltModel, session: Session, filter: ItemFilter | null): Promise<TrainingPrompts> {
    const perStep = cell.algorithm.prompts_per_step;
    if (cell.train.steps === 0) return new TrainingPrompts([], perStep, session); // evaluation only
    const order = session.rng('data-order').shuffle([...all]);
    let majority = majoritySpecOf(cell.reward.expr);
    let online: Online | null = null;
    if (majority?.online) {
      // No `where` reads these labels: the checker rejects that (RLVR5025).
      session.ctx.log(`majority labels: online, ${majority.samples} samples per prompt at temperature ${majority.temperature}, recomputed every step`);
      online = { spec: majority, built, cell };
      majority = null;
    }
    if (!filter && !majority) return new TrainingPrompts(order, perStep, session, online);
    const need = cell.train.steps * perStep;
    const chosen: CellItem[] = [];
    const chunk = Math.max(perStep, 32);
    for (let at = 0; at < order.length && chosen.length < need; at += chunk) {
      const part = order.slice(at, at + chunk);
      if (majority) await majorityLabels(part, majority, built, cell, session);
      for (const it of part) if (!filter || filter(it)) chosen.push(it);
    }
    if (chosen.length === 0) throw new Error(`no training prompt satisfies the reward's condition (${cell.reward.text})`);
    if (chosen.length < need) session.ctx.log(`${chosen.length} training prompt(s) satisfy the reward's condition; they repeat across epochs`);
    else session.ctx.log(`${chosen.length} training prompts selected by the reward's condition`);
    return new TrainingPrompts(chosen, perStep, session, online);
  }

  /**
   * The prompts of step `step` (1-based): consecutive slices of the order, reshuffled every epoch. With online
   * majority labels, each is a copy labelled by the policy as it is now (call it right before the step).
   */
  batch(step: number): CellItem[] {
    const n = this.items.length;
    const out: CellItem[] = [];
    for (let k = (step - 1) * this.perStep; out.length < this.perStep; k++) {
      const epoch = Math.floor(k / n);
      out.push(this.epochOrder(epoch)[k % n]!);
    }
    if (!this.online) return out;
    const { spec, built, cell } = this.online;
    const labels = onlineMajorityLabels(out, spec, built, cell, this.session, step);
    return out.map(it => ({ ...it, majority_label: labels.get(it.id) ?? null }));
  }

  private readonly orders = new Map<number, CellItem[]>();
  private epochOrder(epoch: number): CellItem[] {
    let o = this.orders.get(epoch);
    if (!o) {
      o = epoch === 0 ? [...this.items] : this.session.rng('data-epoch', epoch).shuffle([...this.items]);
      this.orders.set(epoch, o);
      this.orders.delete(epoch - 2);
    }
    return o;
  }
}
