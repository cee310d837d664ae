import { h, table, when, relative, field, form, notice } from '../dom.js';
import { bars } from '../chart.js';
import { STRENGTH, label } from '../words.js';

// The staged roll-out: each stage's people, its enforcement date and how many
// have registered what the stage will require, as a chart per stage.
export async function render(main, ctx) {
  const { api, can } = ctx;
  const { items } = await api.get('/rollout');
  main.append(h('h1', { tabindex: -1 }, 'Roll-out'),
    items.length ? null : notice('No stage yet. The usual order: administrators first, then a pilot group, then departments one after another.', 'info'),
    h('section', { class: 'grid' }, items.map((s) => h('div', { class: 'panel' },
      h('h2', {}, `${s.position}. ${s.name}`),
      h('p', {}, `${s.registered} of ${s.total} ready for ${label(STRENGTH, s.strength)}. `,
        s.enforced ? 'Enforced since ' : 'Enforced from ', h('time', { datetime: s.enforceAt, title: when(s.enforceAt) }, `${when(s.enforceAt)} (${relative(s.enforceAt)})`), '.'),
      bars([{ label: 'Ready', value: s.registered }, { label: 'Not yet', value: s.total - s.registered }], `${s.name}: ${s.registered} of ${s.total} ready`),
      h('p', { class: 'hint' }, [...s.groups.map((g) => `group ${g}`), ...s.roles.map((r) => `role ${r.replaceAll('_', ' ')}`)].join(', ')),
      can('policies:write') ? form({
        className: 'inline', submit: 'Move the date',
        fields: [field('Enforce from', h('input', { name: 'date', type: 'date', required: true, value: s.enforceAt.slice(0, 10) }))],
        onSubmit: async (v) => {
          await api.put(`/rollout/stages/${encodeURIComponent(s.name)}/enforce-at`, { enforceAt: new Date(`${v.date}T09:00:00Z`).toISOString() });
          ctx.navigate(location.pathname, { replace: true });
        },
      }) : null))),
    can('policies:write') && !items.length ? h('section', { class: 'panel' }, h('h2', {}, 'Start from the usual plan'),
      form({
        submit: 'Create the stages',
        fields: [
          field('Pilot group', h('input', { name: 'pilot', required: true })),
          field('Departments, in order (group names, comma-separated)', h('input', { name: 'departments' })),
          field('Days between stages', h('input', { name: 'interval', type: 'number', min: 1, max: 180, value: 14 })),
        ],
        onSubmit: async (v) => {
          await api.post('/rollout/template', { pilotGroup: v.pilot.trim(), departments: v.departments.split(',').map((d) => d.trim()).filter(Boolean), intervalDays: Number(v.interval) || 14 });
          ctx.navigate(location.pathname, { replace: true });
        },
      })) : null,
    items.length ? table([
      { label: 'Stage', cell: (s) => s.name },
      { label: 'By method', cell: (s) => Object.entries(s.byMethod).map(([m, n]) => `${m}: ${n}`).join(', ') || '—' },
      { label: 'By strength', cell: (s) => Object.entries(s.byStrength).map(([k, n]) => `${label(STRENGTH, k)}: ${n}`).join(', ') || '—' },
    ], items, { caption: 'Methods registered per stage' }) : null);
}
