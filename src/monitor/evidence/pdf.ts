import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's Chromium (apt-get install chromium); the PDF is that browser's print of evidence.html. */
export const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT_MS = 120_000;

export type PdfResult = { printed: true } | { printed: false; reason: string };

function isPdf(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(5);
    readSync(fd, head, 0, 5, 0);
    return head.toString('latin1') === '%PDF-';
  } finally {
    closeSync(fd);
  }
}

/**
 * Prints the HTML file to a PDF with headless Chromium: the same page, so the
 * paper and the screen cannot differ. A profile of its own each time, so two
 * exports never share (or lock) one. Without the sandbox because Chromium
 * refuses it to root; the page is our own, with no scripts, and fetches nothing.
 */
export async function printPdf(htmlPath: string, pdfPath: string, chromium = CHROMIUM): Promise<PdfResult> {
  if (!existsSync(chromium)) return { printed: false, reason: `the PDF needs Chromium at ${chromium} (apt-get install chromium)` };
  const profile = mkdtempSync(join(tmpdir(), 'tessera-pdf-'));
  try {
    await run(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-extensions', '--no-first-run', `--user-data-dir=${profile}`,
      '--no-pdf-header-footer', `--print-to-pdf=${pdfPath}`, pathToFileURL(htmlPath).href,
    ], { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    return { printed: false, reason: `Chromium could not print the PDF: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return isPdf(pdfPath) ? { printed: true } : { printed: false, reason: 'Chromium finished without writing a PDF' };
}
