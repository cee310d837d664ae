import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { startTestServer } from '../../support/server.ts';
import { createUserWithPassword } from '../../support/fixtures.ts';
import { Browserish, hiddenCsrf } from '../../support/http-client.ts';
import { issueTap } from '../../../src/recovery/tap/index.ts';
import { issueReportLink } from '../../../src/monitor/notify/links.ts';
import { userRisk } from '../../../src/policy/store/risk-facts.ts';
import { savePolicy } from '../../../src/policy/store/policies.ts';
import { askAccess } from '../../../src/policy/store/access-gate.ts';
import { writeSigninLog } from '../../../src/monitor/signin-log.ts';
import { linkIn, queuedNotices, scanNow } from './support.ts';

/**
 * The "this wasn't me" link of a notice: opening it only asks (a mail
 * scanner's fetch uses nothing up); confirming it, with the page's CSRF
 * token, raises a high alert and the person's risk, which a conditional-access
 * policy then acts on; it works once, and not after it expires.
 */
const PASSWORD = 'violet tangerine lighthouse';

for (const engine of ENGINES) {
  test(`"this wasn't me" links on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const helen = await createUserWithPassword(ctx, 'helen', PASSWORD, ['helpdesk']);
    const ann = await createUserWithPassword(ctx, 'ann', PASSWORD);
    await savePolicy(ctx.store, {
      name: 'Block people at high risk', state: 'enabled', assignments: { users: { include: 'all' } },
      conditions: { userRisk: ['high'] }, grant: { block: true },
    }, { actor: 'user:sec' }, { confirmLockout: 'test: only people at high risk are refused' });
    await issueTap(ctx, { user: 'ann', operator: 'helen' }, { actor: `user:${helen.id}` });
    await scanNow(ctx);
    const [mail] = (await queuedNotices(ctx)).filter((m) => m.to.includes(ann.email!));
    const token = linkIn(mail!.text);
    const path = `/report?link=${token}`;
    const ask = async () => (await askAccess(ctx.store.db, { via: 'signin', authTime: null, userId: ann.id, clientId: null, ip: '127.0.0.1', methodsUsed: [{ method: 'password' }] })).decision.outcome.kind;

    await t.test('opening the link asks first and uses nothing up', async () => {
      const scanner = new Browserish(server.url);
      for (let i = 0; i < 2; i++) {
        const page = await scanner.request('GET', path);
        assert.equal(page.status, 200);
        assert.match(page.body, /Was this not you\?/);
        assert.match(page.body, /a temporary access pass was issued for your account/);
      }
      const row = await ctx.store.db.selectFrom('report_links').select('used_at').where('user_id', '=', ann.id).executeTakeFirstOrThrow();
      assert.equal(row.used_at, null);
      assert.equal(await ask(), 'allow');
    });

    await t.test('a post without the page\'s token is refused', async () => {
      const b = new Browserish(server.url);
      await b.request('GET', path);
      const forged = await b.request('POST', '/report', { link: token, csrf: '0'.repeat(64) });
      assert.equal(forged.status, 403);
      const noCookie = await new Browserish(server.url).request('POST', '/report', { link: token, csrf: '0'.repeat(64) });
      assert.equal(noCookie.status, 403);
    });

    await t.test('confirmed: a high alert, the person\'s risk high, audited; the policy now refuses them', async () => {
      const b = new Browserish(server.url);
      const page = await b.request('GET', path);
      const done = await b.request('POST', '/report', { link: token, csrf: hiddenCsrf(page.body) });
      assert.equal(done.status, 200);
      assert.match(done.body, /Your security team has been alerted/);
      const alerts = await ctx.store.db.selectFrom('alerts').selectAll().where('kind', '=', 'user.reported_not_me').execute();
      assert.deepEqual(alerts.map((a) => [a.severity, a.user_id, JSON.parse(a.details).notice]), [['high', ann.id, 'tap_issued']]);
      assert.ok(!alerts[0]!.details.includes(token.split('_').slice(2).join('_')), 'the link\'s secret is not in the alert');
      assert.equal(await userRisk(ctx.store.db, ann.id), 'high');
      assert.equal(await ask(), 'block');
      const entry = await ctx.store.db.selectFrom('audit_log').select(['actor', 'target']).where('action', '=', 'report.not_me').executeTakeFirstOrThrow();
      assert.deepEqual({ ...entry }, { actor: `user:${ann.id}`, target: `user:${ann.id}` });
    });

    await t.test('the link works once', async () => {
      const b = new Browserish(server.url);
      assert.equal((await b.request('GET', path)).status, 409);
      assert.equal((await b.request('POST', '/report', { link: token, csrf: '0'.repeat(64) })).status, 403);
      assert.equal((await ctx.store.db.selectFrom('alerts').select('id').where('kind', '=', 'user.reported_not_me').execute()).length, 1);
    });

    await t.test('a sign-in after the report is its own high alert', async () => {
      await writeSigninLog(ctx.store.db, { userId: ann.id, username: 'ann', ip: '127.0.0.1', result: 'success', reason: 'ok' });
      await scanNow(ctx);
      const kinds = (await ctx.store.db.selectFrom('alerts').select('kind').where('user_id', '=', ann.id).execute()).map((a) => a.kind);
      assert.ok(kinds.includes('signin.after_report'));
    });

    await t.test('an expired link, a made-up one, a malformed one', async () => {
      const old = await issueReportLink(ctx.store.db, { kind: 'password_changed', key: `test:${randomUUID()}`, userId: ann.id, at: new Date().toISOString() }, 1, new Date(Date.now() - 2 * 3600_000));
      const b = new Browserish(server.url);
      assert.equal((await b.request('GET', `/report?link=${old!.token}`)).status, 410);
      const madeUp = `${token.slice(0, 36)}${'A'.repeat(43)}`;
      assert.equal((await b.request('GET', `/report?link=${madeUp}`)).status, 404);
      assert.equal((await b.request('GET', '/report?link=nonsense')).status, 404);
      assert.equal((await b.request('GET', '/report')).status, 404);
      assert.equal((await b.request('POST', '/report', {})).status, 404);
    });

    await t.test('guessing links from one address is throttled', async () => {
      const b = new Browserish(server.url);
      const statuses = new Set<number>();
      for (let i = 0; i < 60; i++) statuses.add((await b.request('GET', `/report?link=nm_${randomUUID().replace(/-/g, '')}_${'B'.repeat(43)}`)).status);
      assert.ok(statuses.has(429), `statuses: ${[...statuses].join(', ')}`);
    });
  });
}
