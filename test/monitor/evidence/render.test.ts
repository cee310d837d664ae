import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evidencePeriod } from '../../../src/monitor/evidence/period.ts';
import { renderEvidenceHtml } from '../../../src/monitor/evidence/html.ts';
import { evidenceCsvFiles } from '../../../src/monitor/evidence/csv.ts';
import { printPdf } from '../../../src/monitor/evidence/pdf.ts';
import type { EvidencePack } from '../../../src/monitor/evidence/model.ts';
import { parseCsv } from '../../../src/directory/csv.ts';

/** The pure parts: the period, the page's escaping, the CSV guard, and the PDF without Chromium. */
const pack: EvidencePack = {
  version: 1, period: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-31T23:59:59.999Z' }, generatedAt: '2026-02-01T08:00:00.000Z',
  issuer: 'https://id.example.com', organisation: 'Org "<b>"',
  sections: [{
    id: 'x', title: 'X', about: 'about <i>', figures: [{ key: 'mfaShare', label: 'Share', value: 0.5 }],
    tables: [{ id: 'x-rows', title: 'Rows', columns: [{ key: 'a', label: 'A' }, { key: 'b', label: 'B' }], rows: [{ a: '<script>alert(1)</script>', b: '@SUM(1)' }, { a: '-2+3', b: null }] }],
  }],
};

test('a period is whole UTC days, from before to, real dates only', () => {
  assert.deepEqual(evidencePeriod('2026-01-01', '2026-01-31'), { fromDate: '2026-01-01', toDate: '2026-01-31', from: '2026-01-01T00:00:00.000Z', to: '2026-01-31T23:59:59.999Z' });
  assert.equal(evidencePeriod('2026-03-05', '2026-03-05').to, '2026-03-05T23:59:59.999Z', 'one day');
  assert.throws(() => evidencePeriod('2026-02-29', '2026-03-01'), /from: 2026-02-29 is not a date/);
  assert.throws(() => evidencePeriod('2026-01-01', '26-01-02'), /to: 26-01-02 is not a date/);
  assert.throws(() => evidencePeriod('2026-01-02', '2026-01-01'), /is after to/);
  assert.throws(() => evidencePeriod('2000-01-01', '2026-01-01'), /at most 3660 days/);
});

test('the page escapes every value and shares read as percentages', () => {
  const page = renderEvidenceHtml(pack, { kid: 'k"1', sha256: 'ab' });
  assert.ok(!page.includes('<script>') && page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.includes('Org &quot;&lt;b&gt;&quot;') && page.includes('k&quot;1') && page.includes('about &lt;i&gt;'));
  assert.match(page, /<td>50 %<\/td>/);
  assert.match(page, /<td>—<\/td>/, 'nothing is a dash');
});

test('CSV cells a spreadsheet would run get an apostrophe; parsing takes it off again', () => {
  const files = evidenceCsvFiles(pack);
  assert.deepEqual(files.map((f) => f.name), ['figures.csv', 'x-rows.csv']);
  const text = files[1]!.text;
  assert.equal(text, "a,b\r\n<script>alert(1)</script>,'@SUM(1)\r\n'-2+3,\r\n");
  assert.deepEqual(parseCsv(text).map((r) => r.fields), [['a', 'b'], ['<script>alert(1)</script>', '@SUM(1)'], ['-2+3', '']]);
});

test('without Chromium the PDF is not written and the reason says what to install', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pdf-test-'));
  try {
    writeFileSync(join(dir, 'a.html'), '<p>x</p>');
    const r = await printPdf(join(dir, 'a.html'), join(dir, 'a.pdf'), join(dir, 'no-chromium'));
    assert.deepEqual(r, { printed: false, reason: `the PDF needs Chromium at ${join(dir, 'no-chromium')} (apt-get install chromium)` });
    assert.ok(!existsSync(join(dir, 'a.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
