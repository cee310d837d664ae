import type { Cell, EvidencePack, EvidenceSection, EvidenceTable } from './model.ts';

/**
 * The pack as one printable page: self-contained (inline CSS, no scripts, no
 * fetches; the CSP says so), every value escaped, a table per section. The
 * head names the key id and the SHA-256 of evidence.json, so a reader of the
 * paper copy can tie it to the signed file.
 */
const ESCAPED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPED[c]!);

export interface HtmlSeal {
  kid: string;
  sha256: string;
}

const STYLE = `
  body { font: 10.5pt/1.45 system-ui, "DejaVu Sans", sans-serif; color: #111; margin: 2em; }
  h1 { font-size: 18pt; margin: 0 0 .2em; } h2 { font-size: 13.5pt; margin: 1.2em 0 .3em; break-after: avoid; }
  h3 { font-size: 11pt; margin: 1em 0 .3em; break-after: avoid; }
  p.about { margin: 0 0 .6em; color: #333; }
  table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; font-size: 9pt; }
  th, td { border: 1px solid #999; padding: .25em .4em; text-align: left; vertical-align: top; overflow-wrap: break-word; hyphens: auto; }
  td.token { font: 8pt ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
  thead th { background: #eee; } tr { break-inside: avoid; }
  table.figures { width: auto; min-width: 50%; } table.figures th { font-weight: normal; background: #f6f6f6; }
  .seal td, .seal th { border: none; padding: .05em .6em .05em 0; } .seal { width: auto; font-size: 9.5pt; }
  code { font: 8.5pt ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
  .empty { color: #555; font-style: italic; }
  @page { size: A4; margin: 16mm 14mm; }
  @media print { body { margin: 0; } section + section { break-before: page; } }
`;

function cellText(key: string, value: Cell): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' && /share$/i.test(key)) return `${Math.round(value * 1000) / 10} %`;
  return String(value);
}

/** A long unbroken value (a hash, a key id) may break anywhere; words only between words, so narrow columns stay legible. */
function cellHtml(text: string): string {
  return /^\S{24,}$/.test(text) ? `<td class="token">${esc(text)}</td>` : `<td>${esc(text)}</td>`;
}

function tableHtml(t: EvidenceTable, sectionTitle: string): string {
  const body = t.rows.length
    ? `<table><thead><tr>${t.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('')}</tr></thead><tbody>${t.rows
        .map((r) => `<tr>${t.columns.map((c) => cellHtml(cellText(c.key, r[c.key] ?? null))).join('')}</tr>`).join('')}</tbody></table>`
    : '<p class="empty">None.</p>';
  return t.title === sectionTitle ? body : `<h3>${esc(t.title)}</h3>${body}`;
}

function sectionHtml(s: EvidenceSection): string {
  const figures = s.figures.map((f) => `<tr><th scope="row">${esc(f.label)}</th><td>${esc(cellText(f.key, f.value))}</td></tr>`).join('');
  return `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2><p class="about">${esc(s.about)}</p>`
    + `<table class="figures"><tbody>${figures}</tbody></table>${s.tables.map((t) => tableHtml(t, s.title)).join('')}</section>`;
}

export function renderEvidenceHtml(pack: EvidencePack, seal: HtmlSeal): string {
  const day = (iso: string) => iso.slice(0, 10);
  const seals: Array<[string, string]> = [
    ['Period', `${day(pack.period.from)} to ${day(pack.period.to)} (UTC, both days included)`],
    ['Generated', pack.generatedAt],
    ['Issuer', pack.issuer],
    ['Signing key id', seal.kid],
    ['SHA-256 of evidence.json', seal.sha256],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(`${pack.organisation}: MFA evidence pack ${day(pack.period.from)} to ${day(pack.period.to)}`)}</title>
<style>${STYLE}</style></head>
<body><header><h1>${esc(pack.organisation)}: MFA evidence pack</h1>
<table class="seal"><tbody>${seals.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('')}</tbody></table>
<p class="about">Every figure was computed by Tessera from its own records. The same content is in evidence.json, signed in evidence.jws with the key above, which the issuer publishes at its JWKS address; a printed copy matches the signed file when the SHA-256 above is that of evidence.json.</p>
</header>
${pack.sections.map(sectionHtml).join('\n')}
</body></html>
`;
}
