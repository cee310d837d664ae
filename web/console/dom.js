// Small DOM helpers for the console. Text always goes in as text nodes, never
// as HTML, so nothing the API returns can become markup.

/** h('p', { class: 'x', onclick: fn }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let ids = 0;
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A table that scrolls inside its card on a narrow screen. columns: [{ label, cell: (row) => text | Node }] */
export function table(columns, rows, { caption, empty } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty ?? 'Nothing to show.');
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': caption ?? 'Table' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.cell(r) ?? '')))))));
}

/** A labelled input, select or textarea. */
export function field(label, control, hint) {
  const id = control.id || (control.id = uid('f'));
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/** A form that calls onSubmit(values) and shows its error in place. */
export function form({ fields, submit, onSubmit, className }) {
  const status = h('p', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'submit' }, submit);
  const el = h('form', { class: className ?? 'stack', novalidate: true }, fields, button, status);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = '';
    status.className = 'form-status';
    try {
      await onSubmit(Object.fromEntries(new FormData(el).entries()), el);
    } catch (err) {
      status.className = 'form-status error';
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

export function notice(text, kind = 'info') {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function button(label, onClick, { kind, disabled } = {}) {
  return h('button', { type: 'button', class: kind, disabled, onclick: onClick }, label);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** "in 3 days", "2 hours ago" */
export function relative(iso, now = Date.now()) {
  if (!iso) return '—';
  const diff = new Date(iso).getTime() - now;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

export function link(href, text, navigate) {
  return h('a', { href, onclick: (e) => { if (!e.ctrlKey && !e.metaKey && !e.shiftKey) { e.preventDefault(); navigate(href); } } }, text);
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

/**
 * Buttons that make one change and then show the page afresh; a refusal is
 * shown in `status`, in the server's words. `confirmText` asks first.
 */
export function actions(status, navigate) {
  return (text, change, confirmText) => button(text, async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      await change();
      navigate(location.pathname + location.search, { replace: true });
    } catch (err) {
      status.replaceChildren(notice(err.message, 'error'));
    }
  });
}
