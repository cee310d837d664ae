import type { Change } from './plan.ts';

/** What a sync did (or, in a dry run, would do), as the CLI prints it and the store keeps it. */
export interface ReportLine {
  kind: Change['kind'];
  /** The person or group it is about. */
  name: string;
  detail: string;
  /** Set when the change was planned but refused (e.g. the last global admin): why. */
  refused?: string;
}

export interface SyncReport {
  source: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: Partial<Record<Change['kind'], number>>;
  lines: ReportLine[];
}

export function describe(c: Change): ReportLine {
  switch (c.kind) {
    case 'create': return { kind: c.kind, name: c.person.username, detail: `new account from ${c.person.dn}${c.person.disabled ? ' (disabled there)' : ''}` };
    case 'adopt': return { kind: c.kind, name: c.person.username, detail: `local account taken over by ${c.person.dn}` };
    case 'group_adopt': return { kind: c.kind, name: c.name, detail: `local group taken over by ${c.dn}` };
    case 'update': {
      const what = [c.email !== undefined ? `email → ${c.email ?? 'none'}` : null, c.displayName !== undefined ? `display name → ${c.displayName ?? 'none'}` : null].filter(Boolean);
      return { kind: c.kind, name: c.username, detail: what.length ? what.join(', ') : `entry moved to ${c.dn}` };
    }
    case 'disable': return { kind: c.kind, name: c.username, detail: c.why };
    case 'enable': return { kind: c.kind, name: c.username, detail: 'enabled in the directory' };
    case 'returned': return { kind: c.kind, name: c.username, detail: 'back in the directory' };
    case 'offboard': return { kind: c.kind, name: c.username, detail: `gone from the directory since ${c.missingSince}` };
    case 'group_create': return { kind: c.kind, name: c.name, detail: `new group from ${c.dn}` };
    case 'member_add': return { kind: c.kind, name: c.group, detail: `${c.username} added` };
    case 'member_remove': return { kind: c.kind, name: c.group, detail: `${c.username} removed` };
    case 'skip': return { kind: c.kind, name: c.name, detail: c.why };
  }
}

export function countLines(lines: ReportLine[]): SyncReport['counts'] {
  const counts: SyncReport['counts'] = {};
  for (const l of lines) if (!l.refused) counts[l.kind] = (counts[l.kind] ?? 0) + 1;
  return counts;
}

/** The report as text, one line per change. */
export function formatReport(r: SyncReport): string[] {
  const head = `${r.dryRun ? 'dry run of ' : ''}sync of ${r.source}: ${Object.entries(r.counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to change'}`;
  return [head, ...r.lines.map((l) => `  ${l.kind.padEnd(13)} ${l.name}: ${l.detail}${l.refused ? ` — refused: ${l.refused}` : ''}`)];
}
