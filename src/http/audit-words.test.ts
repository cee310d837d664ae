import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { AUDIT_WORDS, describeAuditEvent, type AuditNames } from './audit-words.ts';
import { METHOD_TYPES } from '../methods/method.ts';
import { CASE_STEPS } from '../recovery/cases/scenarios.ts';

const SRC = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

const DOTTED = /^[a-z][a-z_]*(\.[a-z_]+)+$/;

/**
 * The action codes an expression can produce: string literals, both sides of
 * a conditional, and templates (as patterns, `${…}` standing for one word).
 */
function codesOf(node: ts.Expression, out: { literals: Set<string>; patterns: Set<string> }): void {
  if (ts.isParenthesizedExpression(node)) return codesOf(node.expression, out);
  if (ts.isConditionalExpression(node)) {
    codesOf(node.whenTrue, out);
    codesOf(node.whenFalse, out);
  } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    if (DOTTED.test(node.text)) out.literals.add(node.text);
  } else if (ts.isTemplateExpression(node)) {
    out.patterns.add([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('*'));
  }
}

/** Every `action: …`, `action = …` and `….action === …` in src/ outside tests. */
function actionCodesInSources() {
  const out = { literals: new Set<string>(), patterns: new Set<string>(), where: new Map<string, string>() };
  for (const file of sources(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      let expr: ts.Expression | undefined;
      if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'action') expr = node.initializer;
      else if (ts.isVariableDeclaration(node) && node.name.getText(source) === 'action' && node.initializer) expr = node.initializer;
      else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken
        && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'action') expr = node.right;
      if (expr) {
        const before = new Set([...out.literals, ...out.patterns]);
        codesOf(expr, out);
        for (const c of [...out.literals, ...out.patterns]) if (!before.has(c)) out.where.set(c, relative(SRC, file));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

test('every action code written in src/ has plain words', () => {
  const found = actionCodesInSources();
  assert.ok(found.literals.size > 80, `the scan found only ${found.literals.size} codes: is it still reading the sources?`);
  assert.ok(found.patterns.size >= 5, 'the scan sees codes built from templates');
  const missing = [...found.literals].filter((c) => !(c in AUDIT_WORDS)).map((c) => `${c} (${found.where.get(c)})`);
  assert.deepEqual(missing, [], 'add these to AUDIT_WORDS in src/http/audit-words.ts');
  for (const pattern of found.patterns) {
    const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/\./g, '\\.')).join('[a-z_]+')}$`);
    assert.ok(Object.keys(AUDIT_WORDS).some((k) => re.test(k)), `no words for any code of the form ${pattern} (${found.where.get(pattern)})`);
  }
});

test('the codes built from a value have words for every value', () => {
  // method.<type>.remove (device bindings), method.<channel>.add (phones), case.step.<step>, device.<status>
  for (const type of METHOD_TYPES) if (type !== 'backup_code') assert.ok(`method.${type}.remove` in AUDIT_WORDS, `method.${type}.remove`);
  for (const channel of ['sms', 'voice']) assert.ok(`method.${channel}.add` in AUDIT_WORDS);
  for (const step of CASE_STEPS) assert.ok(`case.step.${step}` in AUDIT_WORDS, `case.step.${step}`);
  for (const status of ['found', 'lost', 'retired']) assert.ok(`device.${status}` in AUDIT_WORDS);
  for (const how of ['set', 'changed']) assert.ok(`method.password.${how}` in AUDIT_WORDS);
  for (const words of Object.values(AUDIT_WORDS)) assert.doesNotMatch(words, /[a-z]+\.[a-z]+/, 'words, not codes');
});

test('actors read as people say them', () => {
  const names: AuditNames = {
    people: new Map([
      ['u-ana', { name: 'Ana Ortiz', roles: ['helpdesk'] }],
      ['u-me', { name: 'Me', roles: [] }],
      ['u-bo', { name: 'Bo', roles: [] }],
    ]),
    tokens: new Map([['t-1', { name: 'HR system', owner: 'Ana Ortiz' }]]),
  };
  const say = (actor: string, action: string, target: string | null = 'user:u-me') =>
    describeAuditEvent({ actor, action, target }, { viewerUserId: 'u-me', names });
  assert.equal(say('user:u-ana', 'tap.create').title, 'Temporary Access Pass issued by Ana Ortiz (helpdesk)');
  assert.equal(say('user:u-me', 'method.webauthn.add').title, 'Security key added by you');
  assert.equal(say('user:u-bo', 'method.totp.add').title, 'Authenticator app added by Bo');
  assert.equal(say('user:u-gone', 'role.grant').title, 'Role granted by a deleted account');
  assert.equal(say('ldap:corp', 'user.disable').title, 'Account disabled by the directory sync (corp)');
  assert.equal(say('token:t-1', 'user.update').title, 'Account details changed by the API token “HR system” (owned by Ana Ortiz)');
  assert.equal(say('token:t-x', 'user.update').by, 'by an API token that no longer exists');
  assert.equal(say('cli:root', 'session.revoke_all').title, 'Signed out everywhere by someone at the server’s command line (signed in there as root)');
  assert.equal(say('system', 'user.offboard').title, 'Account offboarded by Tessera itself');
  const unknown = say('martian', 'frobnicate.widget');
  assert.equal(unknown.title, 'A change was recorded', 'never the raw code, never a made-up actor');
  assert.equal(say('user:u-ana', 'user.update', 'user:u-bo').detail, 'for Bo');
  assert.equal(say('user:u-ana', 'user.update').detail, undefined, 'the viewer is not named again');
});
