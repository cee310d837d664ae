import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIPELINE } from '../../src/signin/pipeline.ts';
import { STEP_PAGES } from '../../src/http/routes/signin/pages/index.ts';

test('the pipeline table and the pages agree: one page per step, each posting exactly its step\'s actions', () => {
  const steps = Object.keys(PIPELINE);
  for (const page of STEP_PAGES) {
    assert.ok(steps.includes(page.step), `${page.step} is a step of the pipeline`);
    assert.deepEqual(Object.keys(page.actions ?? {}).sort(), [...PIPELINE[page.step].actions].sort(), `actions of ${page.step}`);
  }
  for (const step of steps) {
    if (step === 'done') continue;
    assert.ok(STEP_PAGES.some((p) => p.step === step), `${step} has a page`);
  }
  for (const [step, spec] of Object.entries(PIPELINE)) {
    for (const n of spec.next) assert.ok(steps.includes(n), `${step} → ${n} names a step`);
  }
});
