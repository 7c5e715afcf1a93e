import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from './logger';
import { REDACTED, redact } from './redact';

describe('PHI redaction', () => {
  it('drops values under PHI keys at any depth', () => {
    const cleaned = redact({
      patient: {
        givenName: 'Zebulon',
        familyName: 'Quixote',
        dateOfBirth: '1961-04-12',
        allergies: ['penicillin'],
      },
      consultation: { notes: 'chest pain since Tuesday', status: 'completed' },
    });
    expect(cleaned).to.deep.equal({
      patient: { givenName: REDACTED, familyName: REDACTED, dateOfBirth: REDACTED, allergies: REDACTED },
      consultation: { notes: REDACTED, status: 'completed' },
    });
  });

  it('scrubs emails, phone numbers, birth dates and bearer tokens inside strings', () => {
    const text = redact(
      'contact zeb.quixote@example.test or +1 (555) 010-4477, born 1961-04-12, Bearer eyJhbGciOi.abc.def',
    ) as string;
    expect(text).not.to.match(/zeb\.quixote|555|1961-04-12|eyJhbGciOi/);
  });

  it('keeps ids, request ids and timestamps intact', () => {
    const id = '43c6ff9b-4a4a-4cee-a8b4-4d30208511ab';
    expect(redact({ requestId: id, at: '2026-11-25T08:43:56.497Z', count: 12 })).to.deep.equal({
      requestId: id,
      at: '2026-11-25T08:43:56.497Z',
      count: 12,
    });
  });

  it('is applied by the logger to every line', () => {
    const stream = new PassThrough();
    const logger = createLogger({ level: 'info', stream });
    const written: string[] = [];
    stream.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    logger.info('patient zeb.quixote@example.test updated', {
      email: 'zeb.quixote@example.test',
      phone: '555-010-4477',
      status: 200,
    });
    const line = JSON.parse(written.join('')) as Record<string, unknown>;
    expect(JSON.stringify(line)).not.to.include('quixote').and.not.include('010-4477');
    expect(line.status).to.equal(200);
  });
});
