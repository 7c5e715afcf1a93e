import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AuditEventView } from './queries';

const CSV_COLUMNS: readonly (keyof AuditEventView)[] = [
  'seq',
  'occurredAt',
  'actorUserId',
  'actorRole',
  'action',
  'eventType',
  'resourceType',
  'resourceIds',
  'patientIds',
  'outcome',
  'requestId',
  'traceId',
  'sourceIp',
  'userAgent',
  'details',
];

/** One JSON object per line, produced as the rows are read. */
export function ndjsonStream(events: AsyncIterable<AuditEventView>): Readable {
  return Readable.from(
    (async function* () {
      for await (const event of events) yield `${JSON.stringify(event)}\n`;
    })(),
  );
}

/** CSV with a header row; lists are joined with ";" and details are JSON, one event per row. */
export function csvStream(events: AsyncIterable<AuditEventView>): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const event of events) {
        yield CSV_COLUMNS.map((column) => {
          const value = event[column];
          if (Array.isArray(value)) return value.join(';');
          return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
        });
      }
    })(),
  );
  return rows.pipe(stringify({ header: true, columns: [...CSV_COLUMNS] }));
}
