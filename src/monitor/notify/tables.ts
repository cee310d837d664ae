/**
 * "This wasn't me" links sent with each notice (migration 0175). The secret
 * is kept only as its SHA-256; a link is used once (used_at set by a
 * conditional UPDATE) and not after expires_at. notice_key is unique, so a
 * notice scanned twice gets one link and one e-mail.
 */
export interface ReportLinksTable {
  id: string;
  user_id: string;
  secret_hash: string;
  notice_key: string;
  /** What the e-mail told the person about (a NoticeKind). */
  notice_kind: string;
  /** JSON: the facts of the notice (no secret). */
  notice: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface NotifyTables {
  report_links: ReportLinksTable;
}
