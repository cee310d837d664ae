/**
 * The evidence pack for an auditor or an insurer: what the system shows about
 * its MFA for a chosen period, every figure computed from its own data. Each
 * section is self-describing (plain-language labels beside the stable keys),
 * so the JSON, the HTML page and the CSV files come from one structure and
 * cannot tell different stories.
 */
export const EVIDENCE_VERSION = 1;

/** One table cell: text, a number, yes/no, or nothing. */
export type Cell = string | number | boolean | null;

export interface Column {
  key: string;
  label: string;
}

export interface EvidenceTable {
  /** Unique in the pack; the CSV file is named after it. */
  id: string;
  title: string;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
}

export interface Figure {
  key: string;
  label: string;
  value: Cell;
}

export interface EvidenceSection {
  id: string;
  title: string;
  /** What the section shows and how it was computed, in a sentence or two. */
  about: string;
  figures: Figure[];
  tables: EvidenceTable[];
}

/** The period the pack covers, as given (days, UTC) and as compared (first and last instant). */
export interface EvidencePeriod {
  fromDate: string;
  toDate: string;
  from: string;
  to: string;
}

export interface EvidencePack {
  version: typeof EVIDENCE_VERSION;
  period: { from: string; to: string };
  generatedAt: string;
  issuer: string;
  organisation: string;
  sections: EvidenceSection[];
}

export const table = (id: string, title: string, columns: Array<[key: string, label: string]>, rows: Array<Record<string, Cell>>): EvidenceTable => ({
  id, title, columns: columns.map(([key, label]) => ({ key, label })), rows,
});

export const figure = (key: string, label: string, value: Cell): Figure => ({ key, label, value });

/** A share as a fraction with three decimals (0 when there is nothing to share). */
export function share(part: number, whole: number): number {
  return whole ? Math.round((part / whole) * 1000) / 1000 : 0;
}
