import { h, field, form, select, notice, when, actions } from '../dom.js';
import { ApiError } from '../api.js';
import { STATE, STRENGTH, label } from '../words.js';

// One policy: what it would have done while report-only (from the sign-in
// log), its state, and its editor — a form for the common settings over the
// JSON document, which the server validates against the published schema and
// runs through the lockout analysis before anything is saved.
const NEW = {
  name: '', state: 'reportOnly', assignments: { users: { include: 'all' }, apps: { include: 'all' } }, grant: { strength: 'mfa' },
};

export async function render(main, ctx) {
  const { api, params, can } = ctx;
  const isNew = params.id === 'new';
  const policy = isNew ? null : await api.get(`/policies/${encodeURIComponent(params.id)}`);
  main.append(h('h1', { tabindex: -1 }, isNew ? 'New policy' : policy.name));
  if (policy) {
    const impact = await api.get(`/policies/${encodeURIComponent(policy.id)}/impact`, { days: 7 });
    main.append(
      h('p', {}, `${label(STATE, policy.state)} · version ${policy.version} · changed ${when(policy.updatedAt)} by ${policy.updatedBy}`),
      h('section', { class: 'panel' }, h('h2', {}, 'Report-only impact'),
        h('p', { class: 'impact' }, impact.applied
          ? `In the last 7 days this policy applied to ${impact.applied} sign-in(s): it would have stopped ${impact.wouldBlock} and asked more of ${impact.wouldChallenge} (${impact.people} people).`
          : 'In the last 7 days no sign-in was evaluated against this policy in report-only.')),
      can('policies:write') ? stateButtons(ctx, policy) : null);
  }
  if (can('policies:write')) main.append(editor(ctx, policy?.document ?? NEW));
  else main.append(h('section', { class: 'panel' }, h('h2', {}, 'Document'), h('pre', { class: 'json' }, JSON.stringify(policy.document, null, 2))));
}

function stateButtons({ api, navigate }, policy) {
  const status = h('div', { role: 'status' });
  const act = actions(status, navigate);
  const set = (state) => act(state === 'enabled' ? 'Enforce' : label(STATE, state), () => api.put(`/policies/${encodeURIComponent(policy.id)}/state`, { state }));
  return h('section', { class: 'panel' }, h('h2', {}, 'State'),
    h('div', { class: 'actions' }, ['reportOnly', 'enabled', 'disabled'].filter((s) => s !== policy.state).map(set)), status);
}

function editor({ api, navigate }, doc) {
  const json = h('textarea', { name: 'json', rows: 16, spellcheck: 'false', class: 'json' }, JSON.stringify(doc, null, 2));
  const strength = select('strength', [['', 'Block access'], ...Object.entries(STRENGTH).filter(([k]) => k !== 'none')], doc.grant?.block ? '' : doc.grant?.strength);
  const lockout = h('div', { role: 'alert' });
  let confirmLockout;
  return h('section', { class: 'panel' }, h('h2', {}, 'Edit'),
    form({
      submit: 'Save',
      fields: [
        field('Name', h('input', { name: 'name', value: doc.name, required: true, maxlength: 128 })),
        field('State', select('state', Object.entries(STATE), doc.state)),
        field('Who', h('input', { name: 'groups', value: whoOf(doc) }), 'Everyone, or group names separated by commas.'),
        field('Apps', h('input', { name: 'apps', value: appsOf(doc) }), 'All apps, or client ids separated by commas (the account page is tessera:portal).'),
        field('Requires', strength),
        field('Sign in again after (hours)', h('input', { name: 'hours', type: 'number', min: 1, max: 8760, value: doc.session?.signInFrequencyHours ?? '' })),
        field('Sign in again after idle (minutes)', h('input', { name: 'idle', type: 'number', min: 1, max: 1440, value: doc.session?.idleMinutes ?? '' })),
        field('Policy document (JSON)', json, 'Everything else (who, which apps, locations, risk, devices) lives here; the fields above are written into it.'),
        lockout,
      ],
      onSubmit: async (v) => {
        const body = merge(JSON.parse(v.json), v);
        try {
          const r = await api.post(`/policies${confirmLockout ? `?confirmLockout=${encodeURIComponent(confirmLockout)}` : ''}`, body);
          navigate(`/admin/policies/${encodeURIComponent(r.policy.id)}`, { replace: true });
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 409 || !/lock/i.test(err.message)) throw err;
          // The lockout analysis found people without a way in: shown before anything is saved.
          lockout.replaceChildren(notice(err.message, 'error'), field('To save anyway, say why', h('input', { name: 'why', maxlength: 500, oninput: (e) => { confirmLockout = e.target.value.trim() || undefined; } })));
        }
      },
    }));
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const EVERYONE = 'Everyone';
const ALL_APPS = 'All apps';

/** The form's "Who": everyone (all users), or the groups; other targeting stays in the JSON. */
function whoOf(doc) {
  const a = doc.assignments ?? {};
  return a.users?.include === 'all' ? EVERYONE : (a.groups?.include ?? []).join(', ');
}

function appsOf(doc) {
  const include = doc.assignments?.apps?.include ?? 'all';
  return include === 'all' ? ALL_APPS : include.join(', ');
}

function assign(doc, v) {
  const a = { ...(doc.assignments ?? {}) };
  const who = v.groups.trim();
  if (!who || who.toLowerCase() === EVERYONE.toLowerCase()) a.users = { include: 'all' };
  else {
    if (a.users?.include === 'all') a.users = { include: [] };
    a.groups = { include: list(who) };
  }
  const apps = v.apps.trim();
  a.apps = { ...(a.apps ?? {}), include: !apps || apps.toLowerCase() === ALL_APPS.toLowerCase() ? 'all' : list(apps) };
  return a;
}

function merge(doc, v) {
  const out = { ...doc, name: v.name.trim(), state: v.state, assignments: assign(doc, v) };
  out.grant = v.strength ? { ...(doc.grant?.block ? {} : doc.grant), strength: v.strength } : { block: true };
  const session = { ...(doc.session ?? {}) };
  if (v.hours) session.signInFrequencyHours = Number(v.hours); else delete session.signInFrequencyHours;
  if (v.idle) session.idleMinutes = Number(v.idle); else delete session.idleMinutes;
  if (Object.keys(session).length) out.session = session; else delete out.session;
  return out;
}
