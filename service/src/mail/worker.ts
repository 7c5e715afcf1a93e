import type { Sequelize } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createCountingGauge } from '../observability/cached-gauge';
import { composeMail } from './compose';
import type { MailConfig } from './config';
import { MAIL_TOPICS, mailQueue, PENDING_MAIL_BY_TOPIC, type ClaimedMessage } from './queue';
import { fileTransport, smtpTransport, type MailTransport } from './transport';

const BATCH = 20;
const MAX_RETRY_DELAY_MS = 3_600_000;

/** Longer than any one batch can take to send: a row stays claimed until its worker is done with it. */
const LEASE_SECONDS = 300;

export interface MailWorker {
  /** Delivers what is due now; resolves with the number of messages handled. */
  runOnce(): Promise<number>;
  /** Polls until stopped; the returned function waits for the batch in hand before resolving. */
  start(): () => Promise<void>;
}

/** A class of error safe to store and log: SMTP response codes and error codes, never their text. */
function errorClass(error: unknown): string {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  return responseCode ? `smtp_${responseCode}` : (code ?? 'error');
}

export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl
    ? smtpTransport(config.smtpUrl, config.from)
    : fileTransport(config.directory, config.from);
}

/** Delivers invitations and password resets from the outbox, with retries that back off exponentially. */
export function createMailWorker(deps: {
  readonly sequelize: Sequelize;
  readonly config: MailConfig;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly transport?: MailTransport;
}): MailWorker {
  const { config, metrics, logger } = deps;
  const queue = mailQueue(deps.sequelize);
  const transport = deps.transport ?? createMailTransport(config);
  const pending = createCountingGauge(
    deps.sequelize,
    metrics,
    metrics.mail.pending,
    { name: 'topic', values: MAIL_TOPICS },
    PENDING_MAIL_BY_TOPIC,
    (error) => logger.warn('could not count pending mail', { error }),
  );

  const deliver = async (message: ClaimedMessage) => {
    const reference = `outbox-${message.id}`;
    const to = await queue.recipient(message.payload.userId);
    if (!to) {
      await queue.failed(message.id, 'recipient_gone');
      metrics.mail.messages.inc({ topic: message.topic, result: 'failed' });
      return;
    }
    try {
      const where = await transport.send(composeMail(message, to, config.publicUrl), reference);
      await queue.sent(message.id);
      metrics.mail.messages.inc({ topic: message.topic, result: 'sent' });
      // The file name, never the address: the log must not carry contact details.
      logger.info('mail delivered', { topic: message.topic, outboxId: message.id, to: where });
    } catch (error) {
      const cause = errorClass(error);
      if (message.attempts >= config.maxAttempts) {
        await queue.failed(message.id, cause);
        metrics.mail.messages.inc({ topic: message.topic, result: 'failed' });
        logger.error('mail failed for good', { topic: message.topic, outboxId: message.id, cause });
        return;
      }
      const delay = Math.min(config.retryBaseMs * 2 ** (message.attempts - 1), MAX_RETRY_DELAY_MS);
      await queue.retryLater(message.id, delay, cause);
      metrics.mail.messages.inc({ topic: message.topic, result: 'retried' });
      logger.warn('mail will be retried', { topic: message.topic, outboxId: message.id, cause, delay });
    }
  };

  const runOnce = async () => {
    const claimed = await queue.claim(BATCH, LEASE_SECONDS);
    for (const message of claimed) await deliver(message);
    if (claimed.length > 0) await pending.refresh();
    return claimed.length;
  };

  return {
    runOnce,
    start() {
      if (!config.smtpUrl)
        logger.info('SMTP_URL is not set: mail is written as .eml files', { directory: config.directory });
      pending.refresh().catch((error: unknown) => logger.warn('could not count pending mail', { error }));
      let stopped = false;
      let current: Promise<unknown> = Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      const stopGauge = pending.start(30_000);
      const tick = () => {
        current = runOnce()
          .then((handled) => (handled === BATCH ? 0 : config.pollIntervalMs))
          .catch((error: unknown) => {
            logger.error('mail worker failed', { error });
            return config.pollIntervalMs;
          })
          .then((wait) => {
            if (!stopped) timer = setTimeout(tick, wait);
          });
      };
      timer = setTimeout(tick, 0);
      return async () => {
        stopped = true;
        clearTimeout(timer);
        stopGauge();
        await current;
        transport.close();
      };
    },
  };
}
