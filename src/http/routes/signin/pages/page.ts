import type { AppContext } from '../../../../app/context.ts';
import type { SafeHtml } from '../../../html.ts';
import type { SigninStep } from '../../../../signin/tables.ts';
import type { SigninTransaction } from '../../../../signin/transaction.ts';
import type { RequestFacts, StepOutcome } from '../../../../signin/steps/outcome.ts';

/** What a page's view gets. */
export interface ViewInput {
  t: SigninTransaction;
  csrf: string;
  error?: string;
  appName?: string | null;
}

export type FormBody = Record<string, unknown> | null | undefined;

export type StepAction = (ctx: AppContext, t: SigninTransaction, body: FormBody, req: RequestFacts) => Promise<StepOutcome>;

/**
 * One sign-in page: the view for one transaction step and the form posts it
 * accepts (POST /signin/<key>/<action>, honoured only while the transaction is
 * at this step). New methods add a page file and one line in ./index.ts.
 */
export interface StepPage {
  step: SigninStep;
  title: string;
  /** Module scripts the page enhances itself with; every page also works without them. */
  scripts?: string[];
  render(ctx: AppContext, v: ViewInput): Promise<SafeHtml> | SafeHtml;
  actions?: Record<string, StepAction>;
}

export function field(body: FormBody, name: string): string {
  const v = body?.[name];
  return typeof v === 'string' ? v.slice(0, 4096) : '';
}
