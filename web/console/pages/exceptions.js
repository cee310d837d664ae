import { h, table, field, form, when, relative, badge, actions } from '../dom.js';

// Exceptions to a policy: always with an end date, approved by a second
// person (the server refuses the requester approving their own), counted
// down to their end.
const EFFECT = { pending: 'Waiting for approval', active: 'Active', scheduled: 'Starts later', expired: 'Ended', rejected: 'Rejected', revoked: 'Revoked' };

export async function render(main, ctx) {
  const { api, can } = ctx;
  const { items } = await api.get('/policy-exceptions', { status: 'all' });
  const status = h('div', { role: 'status' });
  const change = actions(status, ctx.navigate);
  const act = (text, path) => change(text, () => api.post(path, {}));
  main.append(
    h('h1', { tabindex: -1 }, 'Exceptions'),
    status,
    table([
      { label: 'Policy', cell: (e) => e.policyName },
      { label: 'For', cell: (e) => `${e.subjectKind === 'group' ? 'group ' : ''}${e.subject}` },
      { label: 'Why', cell: (e) => e.reason },
      { label: 'State', cell: (e) => badge(EFFECT[e.effective] ?? e.effective, e.effective === 'active' ? 'warn' : '') },
      { label: 'Ends', cell: (e) => h('time', { datetime: e.endsAt, title: when(e.endsAt) }, relative(e.endsAt)) },
      { label: 'Asked by', cell: (e) => e.requestedBy },
      { label: '', cell: (e) => (!can('policies:write') ? '' : e.effective === 'pending'
        ? h('div', { class: 'actions' }, act('Approve', `/policy-exceptions/${e.id}/approve`), act('Reject', `/policy-exceptions/${e.id}/reject`))
        : ['active', 'scheduled'].includes(e.effective) ? act('End now', `/policy-exceptions/${e.id}/revoke`) : '') },
    ], items, { caption: 'Exceptions', empty: 'No exception.' }),
    can('policies:write') ? h('section', { class: 'panel' }, h('h2', {}, 'Ask for an exception'),
      h('p', {}, 'A second person with the right role approves it. It ends by itself on the date you give.'),
      form({
        submit: 'Ask for approval',
        fields: [
          field('Policy (name)', h('input', { name: 'policy', required: true })),
          field('Person (username)', h('input', { name: 'user', required: true })),
          field('Ends on', h('input', { name: 'endsAt', type: 'date', required: true })),
          field('Why', h('textarea', { name: 'reason', rows: 2, required: true, minlength: 10 })),
        ],
        onSubmit: async (v) => {
          await api.post('/policy-exceptions', { policy: v.policy.trim(), user: v.user.trim(), endsAt: v.endsAt, reason: v.reason.trim() });
          ctx.navigate(location.pathname, { replace: true });
        },
      })) : null,
  );
}
