import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Mail } from './compose';

export interface MailTransport {
  /** Sends (or, in development, files) one message; resolves with where it went, free of PHI. */
  send(mail: Mail, reference: string): Promise<string>;
  close(): void;
}

/** SMTP through nodemailer: SMTP_URL names the server, its credentials and TLS (smtps:// or STARTTLS). */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transporter.sendMail({ from, ...mail });
      return 'smtp';
    },
    close: () => transporter.close(),
  };
}

/**
 * Development without SMTP: each message becomes an .eml file (open it with any mail client) under
 * `directory`, named by the outbox row, never by the address.
 */
export function fileTransport(directory: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail, reference) {
      const { message } = (await composer.sendMail({ from, ...mail })) as { message: Buffer };
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR/mail, given by the operator (development), never by a request
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const file = path.join(directory, `${new Date().toISOString().replaceAll(':', '-')}-${reference}.eml`);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR/mail joined with a timestamp and the outbox row id, never with request input
      await writeFile(file, message, { mode: 0o600 });
      return file;
    },
    close: () => composer.close(),
  };
}
