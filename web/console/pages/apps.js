import { h, table, field, form, select, when, button, notice } from '../dom.js';

// OpenID Connect apps: the registered ones and a new one (its secret shown once).
const CATEGORY = { other: 'Other', mail: 'Mail', cloud: 'Cloud', vpn: 'VPN', critical: 'Critical' };
const AUTH = { none: 'None (public app, PKCE)', client_secret_basic: 'Client secret (HTTP Basic)', client_secret_post: 'Client secret (form)', private_key_jwt: 'Signed with its own key' };

export async function render(main, ctx) {
  const { api, can } = ctx;
  const { items } = await api.get('/clients');
  main.append(h('h1', { tabindex: -1 }, 'Apps'),
    table([
      { label: 'App', cell: (c) => (c.name ? `${c.name} (${c.clientId})` : c.clientId) },
      { label: 'Sign-in', cell: (c) => AUTH[c.tokenEndpointAuthMethod] ?? c.tokenEndpointAuthMethod },
      { label: 'Grants', cell: (c) => c.grantTypes.join(', ').replaceAll('_', ' ') },
      { label: 'Category', cell: (c) => CATEGORY[c.category] ?? c.category ?? '' },
      { label: 'Redirect URIs', cell: (c) => c.redirectUris.join(' ') },
      { label: 'Added', cell: (c) => when(c.createdAt) },
    ], items, { caption: 'OpenID Connect apps', empty: 'No app yet.' }),
    can('clients:write') ? newApp(ctx) : null);
}

function newApp(ctx) {
  return h('section', { class: 'panel' }, h('h2', {}, 'Add an app'),
    form({
      submit: 'Add the app',
      fields: [
        field('Client id', h('input', { name: 'clientId', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._~-]{2,63}' }), '3–64 letters, digits and . _ ~ -'),
        field('Name people see', h('input', { name: 'name', maxlength: 128 })),
        field('Redirect URIs (one per line)', h('textarea', { name: 'redirects', rows: 3 })),
        field('Kind', select('kind', [['confidential', 'Server-side app (gets a secret)'], ['public', 'Browser or mobile app (no secret, PKCE)'], ['service', 'Service (client credentials, no people)']])),
        field('How a server-side app sends its secret', select('auth', [['client_secret_basic', 'HTTP Basic (most apps)'], ['client_secret_post', 'In the form body']]),
          'Apps that sign with their own key (private_key_jwt) are added with the command line or the API, with their public keys.'),
        field('Category', select('category', Object.entries(CATEGORY)), 'The posture checklist asks MFA of mail, cloud, VPN and critical apps.'),
      ],
      onSubmit: async (v, el) => {
        const redirectUris = v.redirects.split('\n').map((s) => s.trim()).filter(Boolean);
        const body = {
          clientId: v.clientId.trim(), name: v.name.trim() || undefined, redirectUris, public: v.kind === 'public', category: v.category,
          ...(v.kind === 'public' ? {} : { authMethod: v.auth }),
          ...(v.kind === 'service' ? { grantTypes: ['client_credentials'], redirectUris: [] } : {}),
        };
        const r = await ctx.api.post('/clients', body);
        el.replaceWith(h('div', {}, notice(`Added ${r.client.clientId}.`, 'ok'),
          r.clientSecret ? [h('p', {}, 'Its secret, shown this once:'), h('p', { class: 'secret' }, r.clientSecret)] : null,
          button('Done', () => ctx.navigate(location.pathname, { replace: true }))));
      },
    }));
}
