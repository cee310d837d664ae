import { currentBranding } from './branding.ts';

/**
 * A tagged template for server-rendered pages: every interpolated value is
 * HTML-escaped unless it is itself the result of html`` (or raw()), so user
 * input can never become markup.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Part = SafeHtml | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

export interface PageOptions {
  title: string;
  body: SafeHtml;
  scripts?: string[];
  /** Tables and dashboards get the wide card. */
  wide?: boolean;
}

/** The organisation's logo and name at the top of every page (src/http/branding.ts). */
function brandHeader(): SafeHtml {
  const { name, logoUrl } = currentBranding();
  return html`<header class="brand">${logoUrl ? html`<img class="brand-logo" src="${logoUrl}" alt="">` : ''}<span class="brand-name">${name}</span></header>`;
}

export function page({ title, body, scripts = [], wide = false }: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${currentBranding().name}</title>
<link rel="stylesheet" href="/static/tessera.css">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
${scripts.map((s) => html`<script type="module" src="${s}"></script>`)}
</head>
<body>
<main class="${wide ? 'card wide' : 'card'}">
${brandHeader()}
${body}
</main>
</body>
</html>`.value;
}
