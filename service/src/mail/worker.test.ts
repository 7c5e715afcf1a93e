import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SMTPServer } from 'smtp-server';
import { createMigrator } from '../../../db/migrator';
import { createTestDatabase } from '../../test/support/environment';
import { testConfig } from '../../test/support/runtime';
import { createLogger } from '../observability/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createDatabase } from '../platform/db';
import { createMailWorker, type MailWorker } from './worker';

interface Received {
  readonly to: string;
  readonly raw: string;
}

/** A real SMTP server on a free port; `refuseNext` makes it answer the next messages with a 451. */
async function startSmtpServer() {
  const received: Received[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        const busy = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
        return callback(busy);
      }
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext: (count: number) => (refusals = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the mail worker', function () {
  this.timeout(60_000);
  let sequelize: Sequelize;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let logLines: string[];

  const worker = (metrics: Metrics, env: NodeJS.ProcessEnv = {}): MailWorker => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(chunk.toString()));
    const config = testConfig({ SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '10', ...env });
    return createMailWorker({
      sequelize,
      config: config.mail,
      metrics,
      logger: createLogger({ level: 'info', stream }),
    });
  };

  /** A user and an outbox message for them, as the password-reset service writes it. */
  const enqueue = async (topic: string) => {
    const email = `mail-${randomUUID()}@example.org`;
    const [[user]] = (await sequelize.query(
      `INSERT INTO users (email, role) VALUES (:email, 'provider') RETURNING id`,
      { replacements: { email } },
    )) as [{ id: string }[], unknown];
    const token = randomUUID();
    await sequelize.query(`INSERT INTO outbox (topic, payload) VALUES (:topic, :payload)`, {
      replacements: {
        topic,
        payload: JSON.stringify({ userId: user!.id, token, expiresAt: '2030-01-01T00:00:00.000Z' }),
      },
    });
    return { email, token };
  };

  const outboxRow = async (token: string) => {
    const [row] = await sequelize.query<{
      attempts: number;
      sent_at: Date | null;
      failed_at: Date | null;
      last_error: string | null;
      wait_seconds: number;
    }>(
      `SELECT attempts, sent_at, failed_at, last_error,
         extract(epoch FROM available_at - now())::float AS wait_seconds
       FROM outbox WHERE payload->>'token' = :token`,
      {
        replacements: { token },
        type: QueryTypes.SELECT,
      },
    );
    return row!;
  };

  before(async () => {
    const url = await createTestDatabase('mail');
    sequelize = createDatabase({ url, poolMax: 6, statementTimeoutMs: 10_000 });
    await createMigrator(sequelize, url).up();
    smtp = await startSmtpServer();
  });

  beforeEach(async () => {
    logLines = [];
    smtp.received.length = 0;
    await sequelize.query('DELETE FROM outbox');
  });

  after(async () => {
    await smtp.close();
    await sequelize.close();
  });

  it('delivers an invitation over SMTP to the account address, with its token, and counts it', async () => {
    const { email, token } = await enqueue('auth.account_invitation');
    const metrics = createMetrics();
    expect(await worker(metrics).runOnce()).to.equal(1);
    expect(smtp.received).to.have.length(1);
    expect(smtp.received[0]!.to).to.equal(email);
    expect(smtp.received[0]!.raw).to.include('Subject: Your Carewatch account: choose a password');
    expect(smtp.received[0]!.raw).to.include(token).and.include('/v1/auth/password-reset/confirm');
    expect((await outboxRow(token)).sent_at).to.be.instanceOf(Date);
    const sent = await metrics.registry.getSingleMetricAsString('carewatch_mail_messages_total');
    expect(sent).to.include('carewatch_mail_messages_total{topic="auth.account_invitation",result="sent"} 1');
    expect(logLines.join('')).not.to.include(email);
  });

  it('retries after a temporary refusal, backing off, and delivers once', async () => {
    const { token } = await enqueue('auth.password_reset');
    smtp.refuseNext(1);
    const mailer = worker(createMetrics(), { MAIL_RETRY_BASE_MS: '60000' });
    expect(await mailer.runOnce()).to.equal(1);
    const refused = await outboxRow(token);
    expect(refused.sent_at).to.equal(null);
    expect(refused.last_error).to.equal('smtp_451');
    expect(refused.wait_seconds).to.be.within(50, 60);
    expect(await mailer.runOnce(), 'retried before its backoff ended').to.equal(0);
    // The minute passes.
    await sequelize.query(`UPDATE outbox SET available_at = now() WHERE payload->>'token' = :token`, {
      replacements: { token },
    });
    expect(await mailer.runOnce()).to.equal(1);
    expect(smtp.received).to.have.length(1);
    expect((await outboxRow(token)).attempts).to.equal(2);
  });

  it('gives up after MAIL_MAX_ATTEMPTS and marks the message failed', async () => {
    const { token } = await enqueue('auth.password_reset');
    smtp.refuseNext(2);
    const metrics = createMetrics();
    const mailer = worker(metrics, { MAIL_MAX_ATTEMPTS: '2' });
    await mailer.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await mailer.runOnce();
    const row = await outboxRow(token);
    expect(row.failed_at).to.be.instanceOf(Date);
    expect(row.sent_at).to.equal(null);
    expect(await metrics.registry.getSingleMetricAsString('carewatch_mail_messages_total')).to.include(
      'result="failed"} 1',
    );
  });

  it('several instances working at once send every message exactly once', async () => {
    const tokens = await Promise.all(Array.from({ length: 30 }, () => enqueue('auth.password_reset')));
    const instances = Array.from({ length: 4 }, () => worker(createMetrics()));
    const drain = async (mailer: MailWorker) => {
      while ((await mailer.runOnce()) > 0);
    };
    await Promise.all(instances.map(drain));
    expect(smtp.received).to.have.length(30);
    const delivered = smtp.received.map(({ raw }) => tokens.find(({ token }) => raw.includes(token))?.token);
    expect(new Set(delivered).size).to.equal(30);
  });

  it('without SMTP_URL writes .eml files and logs their name, never the address', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'carewatch-mail-'));
    try {
      const { email, token } = await enqueue('auth.account_invitation');
      const mailer = worker(createMetrics(), { SMTP_URL: '', DATA_DIR: directory });
      expect(await mailer.runOnce()).to.equal(1);
      const [file] = await readdir(path.join(directory, 'mail'));
      expect(file).to.match(/\.eml$/);
      const eml = await readFile(path.join(directory, 'mail', file!), 'utf8');
      expect(eml).to.include(`To: ${email}`).and.include(token);
      const log = logLines.join('');
      expect(log).to.include(file!);
      expect(log).not.to.include(email);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
