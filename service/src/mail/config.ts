import { z } from 'zod';
import { urlVariable } from '../config-url';

export const mailEnv = {
  SMTP_URL: urlVariable(['smtp', 'smtps'], 'smtps://user:password@smtp.example.org:465'),
  MAIL_FROM: z.string().min(3).default('Carewatch <no-reply@carewatch.local>'),
  PUBLIC_URL: urlVariable(['http', 'https'], 'https://carewatch.example.org'),
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
};

type MailEnv = z.infer<z.ZodObject<typeof mailEnv>> & { PORT: number; DATA_DIR: string };

export interface MailConfig {
  /** Unset: each message is written as an .eml file under `directory` (development). */
  readonly smtpUrl: string | undefined;
  readonly directory: string;
  readonly from: string;
  /** Where the API is reached, for the instructions inside a message. */
  readonly publicUrl: string;
  readonly pollIntervalMs: number;
  /** The first retry waits this long; each later one twice as long as the one before (capped at an hour). */
  readonly retryBaseMs: number;
  readonly maxAttempts: number;
}

export function mailConfigFrom(e: MailEnv): MailConfig {
  return Object.freeze({
    smtpUrl: e.SMTP_URL,
    directory: `${e.DATA_DIR}/mail`,
    from: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
    retryBaseMs: e.MAIL_RETRY_BASE_MS,
    maxAttempts: e.MAIL_MAX_ATTEMPTS,
  });
}
