// The config hash: sha256 of the canonical JSON of a cell config (object keys sorted at every depth,
// no whitespace). Two configs that differ only in key order hash the same; any value change differs.
import { canonicalJson, sha256Hex } from '../../util/canonical-json.js';

export { canonicalJson };

export function configHash(config: unknown): string {
  return sha256Hex(canonicalJson(config));
}
