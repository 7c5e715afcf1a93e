import type { ClaimedMessage, MailTopic } from './queue';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

const SUBJECTS: Record<MailTopic, string> = {
  'auth.account_invitation': 'Your Carewatch account: choose a password',
  'auth.password_reset': 'Reset your Carewatch password',
};

const OPENINGS: Record<MailTopic, string> = {
  'auth.account_invitation': 'An administrator created a Carewatch account for this address.',
  'auth.password_reset': 'Someone (hopefully you) asked to reset the password of this Carewatch account.',
};

/** The message for one outbox row: the token and how to use it, and nothing about the person. */
export function composeMail(message: ClaimedMessage, to: string, publicUrl: string): Mail {
  const { token, expiresAt } = message.payload;
  const body = JSON.stringify({ token, newPassword: 'your new password (12 characters or more)' });
  return {
    to,
    subject: SUBJECTS[message.topic],
    text: [
      OPENINGS[message.topic],
      '',
      `Choose your password before ${expiresAt} (the token works once):`,
      '',
      `  curl -X POST ${publicUrl}/v1/auth/password-reset/confirm \\`,
      `    -H 'Content-Type: application/json' -d '${body}'`,
      '',
      `Token: ${token}`,
      '',
      'If you did not expect this message, ignore it: nothing changes until the token is used.',
      '',
    ].join('\n'),
  };
}
