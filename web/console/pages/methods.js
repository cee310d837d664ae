import { h, table, badge, actions } from '../dom.js';
import { METHOD, label } from '../words.js';

// Which sign-in methods are allowed, for whom, and the authentication
// strengths policies can ask for.
export async function render(main, ctx) {
  const { api, can } = ctx;
  const [policy, strengths] = await Promise.all([api.get('/methods/policy'), api.get('/strengths')]);
  const status = h('div', { role: 'status' });
  const act = actions(status, ctx.navigate);
  const rows = Object.entries(policy).map(([method, p]) => ({ method, ...p }));
  main.append(h('h1', { tabindex: -1 }, 'Methods and strengths'), status,
    h('section', { class: 'panel' }, h('h2', {}, 'Methods policy'),
      table([
        { label: 'Method', cell: (m) => label(METHOD, m.method) },
        { label: 'Allowed', cell: (m) => (m.enabled ? badge('On', 'ok') : badge('Off', '')) },
        { label: 'For', cell: (m) => (m.includeGroups.length ? `groups ${m.includeGroups.join(', ')}` : 'everyone') + (m.excludeGroups.length ? `, except ${m.excludeGroups.join(', ')}` : '') },
        { label: 'Administrators', cell: (m) => (m.allowAdmins ? 'May use it' : 'May not') },
        { label: '', cell: (m) => (can('methods:write') ? act(m.enabled ? 'Turn off' : 'Turn on', () => api.patch(`/methods/policy/${m.method}`, { enabled: !m.enabled })) : '') },
      ], rows, { caption: 'Methods' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Authentication strengths'),
      table([
        { label: 'Strength', cell: (s) => s.displayName },
        { label: 'What counts', cell: (s) => s.combinations.join(', ') },
        { label: 'Kind', cell: (s) => (s.builtin ? 'Built in' : 'Your own') },
        { label: 'Notes', cell: (s) => s.warnings.join(' ') },
      ], strengths.items ?? [], { caption: 'Strengths policies can require' })));
}
