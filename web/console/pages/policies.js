import { h, table, link, field, form, select, badge, when } from '../dom.js';
import { STATE, STRENGTH, label } from '../words.js';

// Conditional access: the policies with their state, a new one, and the
// what-if tool ("what would happen if this person signed in to this app?").
export async function render(main, { api, navigate, can }) {
  const { items } = await api.get('/policies');
  main.append(
    h('h1', { tabindex: -1 }, 'Conditional access'),
    can('policies:write') ? h('p', {}, link('/admin/policies/new', 'New policy', navigate)) : null,
    table([
      { label: 'Policy', cell: (p) => link(`/admin/policies/${encodeURIComponent(p.id)}`, p.name, navigate) },
      { label: 'State', cell: (p) => badge(label(STATE, p.state), p.state === 'enabled' ? 'ok' : p.state === 'reportOnly' ? 'info' : '') },
      { label: 'Requires', cell: (p) => requires(p.document) },
      { label: 'Changed', cell: (p) => `${when(p.updatedAt)} by ${p.updatedBy}` },
    ], items, { caption: 'Policies', empty: 'No policy yet.' }),
    whatIf(api),
  );
}

export function requires(doc) {
  const g = doc.grant ?? {};
  if (g.block) return 'Blocked';
  const parts = [g.strength ? label(STRENGTH, g.strength) : null, g.compliantDevice ? 'a compliant device' : null].filter(Boolean);
  return parts.join(g.operator === 'any' ? ' or ' : ' and ') || '—';
}

const OUTCOME = { allow: 'Allowed with what was proven', challenge: 'Allowed after a stronger sign-in', block: 'Blocked' };

function whatIf(api) {
  const result = h('div', { role: 'status' });
  return h('section', { class: 'panel' }, h('h2', {}, 'What if…'),
    h('p', {}, 'See what the policies would decide for a person signing in to an app, before it happens.'),
    form({
      fields: [
        field('Username', h('input', { name: 'user', required: true, autocomplete: 'off' })),
        field('App (client id; empty for the account page)', h('input', { name: 'app', autocomplete: 'off' })),
        field('Address (optional)', h('input', { name: 'ip', autocomplete: 'off' })),
        field('Methods already proven', select('methods', [['password', 'Password'], ['password,totp', 'Password and authenticator code'], ['password,webauthn', 'Password and security key']])),
      ],
      submit: 'Evaluate',
      onSubmit: async (v) => {
        const r = await api.post('/policies/whatif', { user: v.user.trim(), app: v.app.trim() || undefined, ip: v.ip.trim() || undefined, methodsUsed: v.methods.split(',') });
        result.replaceChildren(h('p', {}, h('strong', {}, OUTCOME[r.decision.outcome] ?? r.decision.outcome)),
          table([
            { label: 'Policy', cell: (p) => p.name },
            { label: 'Applies', cell: (p) => (p.applies ? 'Yes' : 'No') },
            { label: 'Why', cell: (p) => p.detail ?? p.reason },
            { label: 'Effect', cell: (p) => p.effect ?? '—' },
          ], r.decision.policies, { caption: 'Each policy', empty: 'No policy.' }));
      },
    }), result);
}
