import { T } from '../types.js';
import { opt, req, type BlockSpec } from './spec.js';

/** The one language version so far. Defaults belong to a version: a later version may change them. */
export const LANGUAGE_VERSIONS = [1] as const;

export const settings: BlockSpec = {
  what: 'the experiment settings',
  fields: {
    language: req(T.int(), 'the language version the spec is written in; it pins every default (required)'),
    seed: opt(T.count(), 0, "every cell's root seed unless a grid varies it; the run derives and records all other seeds from it"),
  },
};
