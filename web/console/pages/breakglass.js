import { h, table, when, button, notice, badge } from '../dom.js';

// Break-glass accounts: ready (enough phishing-resistant keys, tested within
// the cadence) or not, and recording a test after a real sign-in with one.
export async function render(main, ctx) {
  const { api, can } = ctx;
  const report = await api.get('/breakglass');
  const status = h('div', { role: 'status' });
  main.append(h('h1', { tabindex: -1 }, 'Break-glass accounts'),
    h('p', {}, `Test each account every ${report.testIntervalDays} days: sign in with it, then record the test here.`),
    status,
    table([
      { label: 'Account', cell: (a) => a.username },
      { label: 'Keys', cell: (a) => `${a.phishingResistantCount} phishing-resistant` },
      { label: 'Last test', cell: (a) => (a.lastTest ? `${when(a.lastTest.at)} (${a.lastTest.result === 'pass' ? 'passed' : 'failed'})` : 'Never') },
      { label: 'Ready', cell: (a) => (a.problems.length ? badge(a.problems.join('; '), 'warn') : badge('Ready', 'ok')) },
      { label: '', cell: (a) => (can('policies:write') ? button('Record a test', async () => {
        try {
          const t = await api.post(`/breakglass/${encodeURIComponent(a.userId)}/tests`, {});
          status.replaceChildren(notice(`Test recorded for ${t.username}: ${t.result === 'pass' ? 'passed' : 'failed'}.`, t.result === 'pass' ? 'ok' : 'error'));
        } catch (err) {
          status.replaceChildren(notice(err.message, 'error'));
        }
      }) : '') },
    ], report.accounts, { caption: 'Break-glass accounts', empty: 'No break-glass account. Keep two, each with two security keys, excluded from every policy that could lock everyone out.' }));
}
