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

  it('drops names, contact details, birth dates and free text under known keys, whatever their case', () => {
    const samples = {
      FirstName: 'Zebulon',
      lastName: 'Quixote',
      fullName: 'Zebulon Quixote',
      displayName: 'Dr. Z. Quixote',
      Email: 'z.quixote@example.test',
      phoneNumber: '+44 20 7946 0958',
      DOB: '12/04/1961',
      birthDate: '1961-04-12',
      address: '12 Rue des Lilas, Lyon',
      reason: 'recurring migraines after the accident',
      diagnosis: 'G43.909',
      medications: [{ name: 'sumatriptan', dosage: '50 mg' }],
      notes: ['anxious about results', 'prefers morning calls'],
    };
    const cleaned = redact({ visits: [{ patient: samples, status: 'booked' }] }) as {
      visits: [{ patient: Record<string, unknown>; status: string }];
    };
    const [visit] = cleaned.visits;
    expect(visit.status).to.equal('booked');
    expect(Object.values(visit.patient).every((value) => value === REDACTED)).to.equal(true);
    expect(Object.keys(visit.patient)).to.have.members(Object.keys(samples));
  });

  it('drops the same fields under the snake_case names raw query rows give them', () => {
    const row = {
      id: '43c6ff9b-4a4a-4cee-a8b4-4d30208511ab',
      given_name: 'Zebulon',
      family_name: 'Quixote',
      date_of_birth: '1961-04-12',
      medical_data: { conditions: ['asthma'] },
      member_id: 'XKZ-88120',
    };
    const cleaned = redact(row) as Record<string, unknown>;
    expect(cleaned.id).to.equal(row.id);
    for (const key of ['given_name', 'family_name', 'date_of_birth', 'medical_data', 'member_id'])
      expect(cleaned[key], key).to.equal(REDACTED);
  });

  it('scrubs contact details and birth dates written in free text under other keys', () => {
    const messages = [
      'call me on 555.010.4477 or +44 20 7946 0958',
      'mail Zeb at ZEB_Q+clinic@mail.example.co.uk',
      'born 12/04/1961, seen 1961-04-12',
      'SSN 078-05-1120 on file',
    ];
    const cleaned = redact({ messages }) as { messages: string[] };
    expect(cleaned.messages.join(' ')).not.to.match(/010-?4477|010\.4477|7946|ZEB_Q|1961|078-05-1120/);
  });

  it('drops what is nested too deep to read rather than passing it on unread', () => {
    let nested: Record<string, unknown> = { givenName: 'Zebulon', contact: { email: 'zeb@example.test' } };
    for (let level = 0; level < 10; level += 1) nested = { level, nested };
    const text = JSON.stringify(redact(nested));
    expect(text).not.to.match(/Zebulon|zeb@/);
    expect(text).to.include('"level":9');
  });

  it('scrubs the input PostgreSQL quotes in an error message, keeping the identifiers it names', () => {
    const error = new Error('invalid input syntax for type uuid: "Zebulon Quixote"');
    const cleaned = redact({ error, other: 'relation "patients" does not exist' }) as {
      error: { message: string; stack: string };
      other: string;
    };
    expect(cleaned.error.message).to.equal('invalid input syntax for type uuid: "[value]"');
    expect(cleaned.error.stack).not.to.include('Zebulon');
    expect(cleaned.other).to.equal('relation "patients" does not exist');
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
