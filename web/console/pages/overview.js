import { h, table, link, when, relative } from '../dom.js';
import { STRENGTH, SEVERITY, label } from '../words.js';
import { bars } from '../chart.js';

// What an admin checks first: how much of the organisation is covered by
// which strength, administrators who cannot reach phishing-resistant MFA yet,
// open alerts, exceptions about to end and break-glass tests overdue.
export async function render(main, { api, navigate }) {
  const o = await api.get('/overview');
  const levels = Object.keys(STRENGTH);
  const series = (counts) => levels.map((l) => ({ label: STRENGTH[l], value: counts[l] }));
  main.append(
    h('h1', { tabindex: -1 }, 'Overview'),
    h('section', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', {}, 'Everyone'), bars(series(o.coverage.people), 'MFA coverage of everyone')),
      h('div', { class: 'panel' }, h('h2', {}, 'Administrators'), bars(series(o.coverage.admins), 'MFA coverage of administrators'))),
    h('section', { class: 'panel' },
      h('h2', {}, 'Administrators without a phishing-resistant method'),
      table([
        { label: 'Person', cell: (a) => link(`/admin/users/${encodeURIComponent(a.id)}`, a.username, navigate) },
        { label: 'Strongest they can reach', cell: (a) => label(STRENGTH, a.level) },
      ], o.coverage.adminsWithoutPhishingResistant, { caption: 'Administrators to help first', empty: 'Every administrator has a security key or passkey.' })),
    h('section', { class: 'grid' },
      h('div', { class: 'panel' }, h('h2', {}, 'Open alerts'),
        h('ul', { class: 'counts' }, Object.entries(o.openAlerts).reverse().map(([s, n]) => h('li', { class: `sev-${s}` }, h('strong', {}, String(n)), ` ${label(SEVERITY, s)}`))),
        link('/admin/alerts', 'See the alerts', navigate)),
      h('div', { class: 'panel' }, h('h2', {}, 'Exceptions ending within 7 days'),
        table([
          { label: 'Policy', cell: (e) => e.policyName },
          { label: 'For', cell: (e) => `${e.subjectKind === 'group' ? 'group ' : ''}${e.subject}` },
          { label: 'Ends', cell: (e) => h('time', { datetime: e.endsAt, title: when(e.endsAt) }, relative(e.endsAt)) },
        ], o.exceptionsEndingSoon, { caption: 'Exceptions ending soon', empty: 'None end this week.' })),
      h('div', { class: 'panel' }, h('h2', {}, 'Break-glass accounts'),
        o.breakGlass.accounts
          ? h('p', {}, `${o.breakGlass.accounts} account(s). `, o.breakGlass.overdue.length ? `Test overdue: ${o.breakGlass.overdue.join(', ')}.` : 'No test is overdue.')
          : h('p', {}, 'None yet. Keep two, each with two security keys, for the day every admin is locked out.'),
        o.breakGlass.problems.length ? h('ul', {}, o.breakGlass.problems.map((p) => h('li', {}, p))) : null)),
  );
}
