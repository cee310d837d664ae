import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SignedEvidence } from './assemble.ts';
import { evidenceCsvFiles } from './csv.ts';
import { renderEvidenceHtml } from './html.ts';
import { printPdf, type PdfResult } from './pdf.ts';

export interface WrittenEvidence {
  /** Absolute paths, in the order written. */
  paths: string[];
  /** null when the PDF was not asked for. */
  pdf: PdfResult | null;
}

/**
 * Writes the pack into `dir` (created if needed): evidence.json (the signed
 * bytes), evidence.jws, evidence.html, the CSV files, then evidence.pdf
 * printed from that HTML. Files are readable by their owner only: the pack
 * names people and accounts.
 */
export async function writeEvidenceFiles(dir: string, signed: SignedEvidence, options: { pdf: boolean; chromium?: string }): Promise<WrittenEvidence> {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const paths: string[] = [];
  const write = (name: string, data: string | Buffer) => {
    const path = join(out, name);
    writeFileSync(path, data, { mode: 0o600 });
    paths.push(path);
    return path;
  };
  write('evidence.json', signed.json);
  write('evidence.jws', signed.jws + '\n');
  const html = write('evidence.html', renderEvidenceHtml(signed.pack, { kid: signed.kid, sha256: signed.sha256 }));
  for (const f of evidenceCsvFiles(signed.pack)) write(f.name, f.text);
  const pdfPath = join(out, 'evidence.pdf');
  // A PDF left from an earlier export would not match these files.
  rmSync(pdfPath, { force: true });
  if (!options.pdf) return { paths, pdf: null };
  const pdf = await printPdf(html, pdfPath, options.chromium);
  if (pdf.printed) paths.push(pdfPath);
  return { paths, pdf };
}
