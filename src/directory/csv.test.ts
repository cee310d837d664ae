import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvSyntaxError, formatCsv, parseCsv } from './csv.ts';

test('CSV records carry the line they start on, through quoted line breaks and blank lines', () => {
  const text = 'username,email\r\nalice,"a@example.com"\n\n"b,""ob""","x\ny"\ncarol,c@example.com';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['username', 'email'] },
    { line: 2, fields: ['alice', 'a@example.com'] },
    { line: 4, fields: ['b,"ob"', 'x\ny'] },
    { line: 6, fields: ['carol', 'c@example.com'] },
  ]);
});

test('a broken quote is reported with its line', () => {
  assert.throws(() => parseCsv('a,b\nx,"open\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2);
  assert.throws(() => parseCsv('a,b\nx,y"z\n'), (e: unknown) => e instanceof CsvSyntaxError && e.line === 2);
});

test('what formatCsv writes parses back the same; a cell a spreadsheet would run as a formula is defused', () => {
  const rows = [['a', 'b,c', 'say "hi"', 'two\nlines', '=1+1', '-x', '']];
  const csv = formatCsv(rows);
  assert.match(csv, /,'=1\+1,'-x,\r\n$/);
  assert.deepEqual(parseCsv(csv).map((r) => r.fields), rows);
});
