import type { Tx } from '../../store/store.ts';
import type { RecordAudit } from '../../audit/append.ts';
import { enqueueMail } from '../outbox/enqueue.ts';
import { InvalidInputError } from '../../directory/errors.ts';
import type { Person } from '../detections/gather.ts';
import { issueReportLink } from './links.ts';
import type { Notice } from './notices.ts';
import { noticeMail } from './texts.ts';

/**
 * Sends one notice in the scan's transaction: its "this wasn't me" link and
 * the e-mail commit together, once (a notice scanned again finds its link
 * taken and sends nothing). Audited 'notify.sent' without the link.
 */
export type SendResult = 'sent' | 'no_address' | 'already_sent';

export async function sendNotice(trx: Tx, record: RecordAudit, n: Notice, person: Person, o: { issuer: string; validHours: number }): Promise<SendResult> {
  if (!person.email) return 'no_address';
  const link = await issueReportLink(trx, n, o.validHours);
  if (!link) return 'already_sent';
  const mail = noticeMail(n, person.displayName, `${o.issuer}/report?link=${link.token}`, o.validHours);
  try {
    await enqueueMail(trx, { to: [person.email], subject: mail.subject, text: mail.text }, { key: `notice:${n.key}` });
  } catch (err) {
    // An address the mail queue refuses is as good as none; the rest of the scan goes on.
    if (!(err instanceof InvalidInputError)) throw err;
    await trx.deleteFrom('report_links').where('id', '=', link.id).execute();
    return 'no_address';
  }
  await record({ actor: 'system', action: 'notify.sent', target: `user:${n.userId}`, after: { notice: n.kind, linkId: link.id, subject: mail.subject } });
  return 'sent';
}
