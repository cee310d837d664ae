import { formatCsv } from '../../directory/csv.ts';
import type { Cell, EvidencePack } from './model.ts';

export interface CsvFile {
  name: string;
  text: string;
}

const text = (v: Cell | undefined): string => (v === null || v === undefined ? '' : String(v));

/**
 * One RFC 4180 file per table, named after it, with the column keys as its
 * header (they stay put when the words change), and figures.csv with every
 * section's figures. formatCsv writes a cell a spreadsheet would run as a
 * formula (= + - @ …) behind an apostrophe.
 */
export function evidenceCsvFiles(pack: EvidencePack): CsvFile[] {
  const figures = pack.sections.flatMap((s) => s.figures.map((f) => [s.id, f.key, f.label, text(f.value)]));
  return [
    { name: 'figures.csv', text: formatCsv([['section', 'key', 'label', 'value'], ...figures]) },
    ...pack.sections.flatMap((s) => s.tables.map((t) => ({
      name: `${t.id}.csv`,
      text: formatCsv([t.columns.map((c) => c.key), ...t.rows.map((r) => t.columns.map((c) => text(r[c.key])))]),
    }))),
  ];
}
