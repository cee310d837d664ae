import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSyslog, octetCounted } from './syslog-format.ts';

const AT = new Date('2026-12-01T10:00:00.123Z');

test('an RFC 5424 line: PRI from authpriv and the level, header fields, one SD element, a UTF-8 MSG', () => {
  const line = formatSyslog({ level: 'high', msgid: 'breakglass.signin', params: { id: 'a1', user: 'zoë' }, text: 'höchst' }, AT, 'idp-1');
  assert.equal(line, `<83>1 2026-12-01T10:00:00.123Z idp-1 tessera ${process.pid} breakglass.signin [tessera@32473 id="a1" user="zoë"] \uFEFFhöchst`);
});

test('parameter values escape quote, backslash and bracket; header fields drop what they may not hold', () => {
  const line = formatSyslog({ level: 'info', msgid: 'a b\u0000c', params: { 'k=y': 'say "hi" \\ ]' }, text: 'x' }, AT, 'host name');
  assert.match(line, /^<86>1 \S+ hostname tessera \d+ abc \[tessera@32473 ky="say \\"hi\\" \\\\ \\]"\] /);
  assert.match(formatSyslog({ level: 'critical', msgid: '', params: {}, text: '' }, AT, ''), /^<82>1 \S+ - tessera \d+ - \[tessera@32473\] /);
});

test('octet counting counts bytes, not characters', () => {
  assert.equal(octetCounted('zoë').toString(), '4 zoë');
});
