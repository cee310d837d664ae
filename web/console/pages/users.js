import { h, table, link, field, form, badge } from '../dom.js';
import { USER_STATUS, label } from '../words.js';

// Find a person: by the start of the username or anywhere in the e-mail or name.
export async function render(main, { api, navigate }) {
  const results = h('div', {});
  const search = h('input', { name: 'search', type: 'search', autocomplete: 'off', value: new URLSearchParams(location.search).get('q') ?? '' });
  async function find(q) {
    const { items } = await api.get('/users', { search: q || undefined, limit: 100 });
    results.replaceChildren(table([
      { label: 'Username', cell: (u) => link(`/admin/users/${encodeURIComponent(u.id)}`, u.username, navigate) },
      { label: 'Name', cell: (u) => u.displayName ?? '' },
      { label: 'E-mail', cell: (u) => u.email ?? '' },
      { label: 'Status', cell: (u) => badge(label(USER_STATUS, u.status), u.status === 'active' ? 'ok' : 'warn') },
      { label: 'Kind', cell: (u) => u.kind.replaceAll('_', ' ') },
    ], items, { caption: 'People', empty: 'Nobody matches.' }));
  }
  main.append(
    h('h1', { tabindex: -1 }, 'Users'),
    form({
      className: 'inline', submit: 'Search', fields: [field('Find a person', search, 'Username, name or e-mail')],
      onSubmit: async ({ search: q }) => {
        history.replaceState(null, '', q ? `?q=${encodeURIComponent(q)}` : location.pathname);
        await find(q);
      },
    }),
    results,
  );
  await find(search.value);
}
