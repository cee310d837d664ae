import { h, table, field, form, select, when, notice, button } from '../dom.js';
import { CHANNEL, IDENTITY_CHECK, METHOD, STEP, label } from '../words.js';

// One helpdesk case: what was done (each step recorded under the person who
// did it) and a form for the next step. The pass is shown here once, when it
// is issued, and never again.
export async function render(main, ctx) {
  const { api, params } = ctx;
  const kase = await api.get(`/cases/${encodeURIComponent(params.id)}`);
  const out = h('div', { class: 'case-next' });
  main.append(
    h('h1', { tabindex: -1 }, `${kase.title}: ${kase.username}`),
    h('p', {}, kase.status === 'open' ? `Opened ${when(kase.openedAt)}.` : `This case is ${kase.status}${kase.closedAt ? ` (${when(kase.closedAt)})` : ''}.`,
      kase.timeToRecoverSeconds !== null ? ` Back in after ${Math.round(kase.timeToRecoverSeconds / 60)} minutes.` : ''),
    h('section', { class: 'panel' }, h('h2', {}, 'Steps done'),
      table([
        { label: 'Step', cell: (s) => label(STEP, s.step) },
        { label: 'Outcome', cell: (s) => (s.outcome === 'skipped' ? `Skipped: ${s.reason ?? ''}` : s.outcome === 'refused' ? `Refused: ${s.reason ?? ''}` : 'Done') },
        { label: 'By', cell: (s) => s.operator ?? s.actor },
        { label: 'When', cell: (s) => when(s.at) },
      ], kase.steps, { caption: 'Case history', empty: 'Nothing yet.' })),
    out,
  );
  if (kase.status === 'open' && kase.nextStep) out.append(await nextStep(ctx, kase));
}

async function nextStep(ctx, kase) {
  const { api } = ctx;
  const step = kase.nextStep;
  const url = `/cases/${encodeURIComponent(kase.id)}/steps/${step}`;
  const reload = () => ctx.navigate(location.pathname, { replace: true });
  const panel = h('section', { class: 'panel next', 'aria-labelledby': 'next-step' }, h('h2', { id: 'next-step' }, `Next: ${label(STEP, step)}`));
  const submit = (text, fields, body) => form({ submit: text, fields, onSubmit: async (values) => { await api.post(url, body(values)); reload(); } });
  switch (step) {
    case 'verify_identity':
      panel.append(h('p', {}, 'Never give a pass to whoever calls: check it is really them, with a way an attacker cannot fake.'),
        submit('Record the check', [
          field('How you checked', select('method', Object.entries(IDENTITY_CHECK))),
          field('What you saw (optional)', h('textarea', { name: 'notes', rows: 2, maxlength: 500 })),
        ], (v) => ({ method: v.method, notes: v.notes.trim() || undefined })));
      break;
    case 'issue_tap':
      panel.append(form({
        submit: 'Issue the pass', fields: [field('Valid for (minutes)', h('input', { name: 'lifetime', type: 'number', min: 10, value: 60 }))],
        onSubmit: async (v) => {
          const r = await api.post(url, { lifetimeMinutes: Number(v.lifetime) || undefined });
          panel.replaceChildren(h('h2', { id: 'next-step' }, 'The Temporary Access Pass'),
            ...(r.pass ? [h('p', {}, 'Give it to the person over the channel you record next. It is shown this once.'), h('p', { class: 'secret', 'aria-label': 'The pass' }, r.pass)]
              : [notice('The pass waits for a second person to approve it; it is shown to whoever delivers it after the approval.')]),
            button('Continue', reload));
        },
      }));
      break;
    case 'approve_tap':
      panel.append(h('p', {}, 'This person holds a privileged role, so a second privileged person approves the pass. If you issued it, ask a colleague to open this case in their console.'),
        submit('Approve the pass', [], () => ({})));
      break;
    case 'deliver_tap':
      panel.append(submit('Record the delivery', [field('How it reached them', select('channel', Object.entries(CHANNEL)), 'Never by e-mail or text message.')], (v) => ({ channel: v.channel })));
      break;
    case 'old_device_removed':
      panel.append(...(await oldMethods(ctx, kase, url, reload)));
      break;
    default:
      panel.append(h('p', {}, step === 'new_method_registered' ? 'The person signs in with the pass and registers a new method; then confirm it here.'
        : step === 'signin_confirmed' ? 'Ask the person to sign in with their new method; then confirm it here.' : 'Everything is done.'),
        submit(step === 'close' ? 'Close the case' : 'Confirm', [], () => ({})));
  }
  if (!['verify_identity', 'approve_tap', 'close'].includes(step)) {
    panel.append(h('details', {}, h('summary', {}, 'Skip this step'),
      submit('Skip with this reason', [field('Why', h('input', { name: 'reason', required: true, maxlength: 500 }))], (v) => ({ skip: true, reason: v.reason.trim() }))));
  }
  return panel;
}

async function oldMethods(ctx, kase, url, reload) {
  const { items } = await ctx.api.get(`/users/${encodeURIComponent(kase.userId)}/methods`);
  const old = items.filter((m) => m.type !== 'password' && m.createdAt < kase.openedAt);
  if (!old.length) return [h('p', {}, 'No method from before the case is left.'), button('Nothing to remove: skip', async () => { await ctx.api.post(url, { skip: true, reason: 'no old method left' }); reload(); })];
  const boxes = old.map((m) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: `m:${m.type}:${m.id}`, checked: true }), ` ${label(METHOD, m.kind)} — ${m.name} (added ${when(m.createdAt)})`));
  return [h('p', {}, 'Remove what was on the old phone, so whoever has it cannot use it.'), form({
    submit: 'Remove the old methods', fields: [h('fieldset', {}, h('legend', {}, 'Old methods'), boxes)],
    onSubmit: async (values) => {
      const credentials = Object.keys(values).filter((k) => k.startsWith('m:')).map((k) => { const [, type, ...rest] = k.split(':'); return { type, id: rest.join(':') }; });
      await ctx.api.post(url, { credentials });
      reload();
    },
  })];
}
