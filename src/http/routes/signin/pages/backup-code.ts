import { html } from '../../../html.ts';
import { submitSecondFactor } from '../../../../signin/steps/second-factor.ts';
import { action, codeInput, csrfField, errorBox, otherMethodLink } from './parts.ts';
import { field, type StepPage } from './page.ts';

export const backupCodePage: StepPage = {
  step: 'backup_code',
  title: 'Backup code',
  render: (_ctx, v) => html`<h1>Enter a backup code</h1>
<p>Each backup code works once. You saved them when you set up your account.</p>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'backup-code')}">
${csrfField(v.csrf)}
${codeInput('Backup code', { numeric: false, maxlength: 32 })}
<button type="submit">Verify</button>
</form>
${otherMethodLink(v)}`,
  actions: {
    'backup-code': (ctx, t, body, req) => submitSecondFactor(ctx, t, 'backup_code', field(body, 'code'), req),
  },
};
