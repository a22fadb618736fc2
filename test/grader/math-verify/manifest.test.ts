// A run records the grader that decided its verdicts (issue 20): every manifest has the paper grader's
// version and budget, exactly as before; a cell that grades with Math-Verify (a reward's
// correct(..., grader = math_verify) or an eval's grader) also records Math-Verify's version. Both forms
// validate against schema/manifest.schema.json's grader object; an unknown key there does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { GRADER_BUDGET, GRADER_VERSION, graderRecord, MATH_VERIFY_VERSION, graderVersion } from '../../../src/grader/index.js';
import { REPO } from '../../helpers/golden.js';

const schema = JSON.parse(readFileSync(join(REPO, 'schema/manifest.schema.json'), 'utf8')) as { properties: { grader: object } };
const validate = new Ajv2020({ strict: false }).compile(schema.properties.grader);

test('graderRecord: unchanged without Math-Verify, with its version when a cell uses it', () => {
  assert.deepEqual(graderRecord(), { version: GRADER_VERSION, budget: { ...GRADER_BUDGET } });
  assert.deepEqual(graderRecord(true), { version: GRADER_VERSION, budget: { ...GRADER_BUDGET }, math_verify: { version: MATH_VERIFY_VERSION } });
  assert.equal(graderVersion('paper'), GRADER_VERSION);
  assert.equal(graderVersion('math_verify'), MATH_VERIFY_VERSION);
});

test('both records validate against the manifest schema; a stray key does not', () => {
  assert.ok(validate(graderRecord()), JSON.stringify(validate.errors));
  assert.ok(validate(graderRecord(true)), JSON.stringify(validate.errors));
  assert.equal(validate({ ...graderRecord(true), math_verify: { version: 1, extra: 1 } }), false);
});
