import { h, clear, notice, link } from './dom.js';
import { api, loadSession, signInAgain } from './api.js';
import { PAGES, match } from './pages.js';

// The console's frame: who is signed in, the menu of what their roles allow,
// and one page at a time in <main>. Links change the address without a reload
// (back and forward work); every page starts with its <h1> focused, so a
// screen reader or keyboard user knows where they are.

const root = document.getElementById('app');
let session;

function can(permission) {
  return !permission || session.permissions.includes(permission);
}

function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  void show();
}

function frame() {
  const menu = h('nav', { 'aria-label': 'Console' },
    h('ul', {}, PAGES.filter((p) => !p.hidden && can(p.permission)).map((p) =>
      h('li', {}, link(p.path, p.title, navigate)))));
  const signOut = h('button', { type: 'button', class: 'link', onclick: async () => { await api.signOut().catch(() => null); location.assign('/'); } }, 'Sign out');
  return h('div', { class: 'console-frame' },
    h('header', { class: 'console-header' },
      h('p', { class: 'console-brand' },
        session.organisation.logoUrl ? h('img', { src: session.organisation.logoUrl, alt: '', class: 'logo' }) : null,
        h('span', {}, session.organisation.name), h('span', { class: 'muted' }, ' · Admin console')),
      h('p', { class: 'console-user' }, `Signed in as ${session.user.username}`, ' ', signOut)),
    menu,
    h('main', { id: 'main', tabindex: -1 }));
}

function markCurrent(path) {
  for (const a of root.querySelectorAll('nav a')) {
    const here = a.getAttribute('href') === path || (a.getAttribute('href') !== '/admin' && path.startsWith(`${a.getAttribute('href')}/`));
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function show() {
  const main = root.querySelector('main');
  clear(main);
  const found = match(location.pathname);
  markCurrent(location.pathname);
  if (!found || !can(found.page.permission)) {
    const first = PAGES.find((p) => !p.hidden && can(p.permission));
    if (location.pathname === '/admin' && first && first.path !== '/admin') return navigate(first.path, { replace: true });
    main.append(h('h1', { tabindex: -1 }, 'Not here'), notice(found ? 'Your roles do not include this page.' : 'There is no such page in the console.'));
    return;
  }
  document.title = `${found.page.title} · Admin console`;
  try {
    const mod = await import(found.page.module);
    await mod.render(main, { session, params: found.params, navigate, can, api });
  } catch (err) {
    main.append(notice(err.message, 'error'));
  }
  (main.querySelector('h1') ?? main).focus();
}

async function start() {
  try {
    session = await loadSession();
  } catch (err) {
    if (err.status === 401) return signInAgain();
    clear(root).append(notice(err.message, 'error'));
    return;
  }
  clear(root);
  if (!session.roles.length) {
    root.append(h('main', { id: 'main' }, h('h1', {}, 'Admin console'),
      notice('Your account holds no administrative role, so the console has nothing for you. Ask an administrator if you need access.')));
    return;
  }
  root.append(frame());
  window.addEventListener('popstate', () => void show());
  await show();
}

void start();
