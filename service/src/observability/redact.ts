/**
 * The last line of defence against PHI in logs: keys that name personal or medical data are dropped
 * whatever their value, and strings are scrubbed of patterns that look like contact details or dates of
 * birth. Code should not log such values in the first place; this catches the mistakes.
 */
// Raw query rows name columns snake_case (given_name), models camelCase (givenName): the same field.
const normalised = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

const PHI_KEYS = new Set(
  [
    'givenName',
    'familyName',
    'name',
    'displayName',
    'fullName',
    'firstName',
    'lastName',
    'email',
    'phone',
    'phoneNumber',
    'dateOfBirth',
    'dob',
    'birthDate',
    'address',
    'ssn',
    'allergies',
    'conditions',
    'medications',
    'medication',
    'dosage',
    'notes',
    'reason',
    'diagnosis',
    'memberId',
    'groupNumber',
    'insurance',
    'medicalData',
    'password',
    'newPassword',
    'currentPassword',
    'token',
    'accessToken',
    'refreshToken',
    'secret',
    'totpCode',
    'otp',
    'recoveryCode',
    'authorization',
    'cookie',
    'body',
  ].map(normalised),
);

/**
 * A pattern, its replacement, and a character every match contains when there is one: a string without it
 * is not searched. Most logged strings (ids, routes, messages) contain no `@` or `"`, and the email
 * pattern costs microseconds on a plain 36-character id (it retries from every position of a word run).
 */
type Scrub = readonly [pattern: RegExp, replacement: string, everyMatchContains?: string];

const SCRUBS: readonly Scrub[] = [
  // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
  [/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]', '@'],
  [/\b\d{3}-\d{2}-\d{4}\b/g, '[ssn]', '-'],
  // Day and month either way round, as forms and letters write them: 12/04/1961, 4.12.1961.
  [/\b\d{1,2}[/.]\d{1,2}[/.](19|20)\d{2}\b/g, '[date]'],
  // Bounded by non-word, non-hyphen characters so that runs of digits inside UUIDs and ids survive.
  [/(?<![\w-])\+?\d[\d\s().-]{8,}\d(?![\w-])/g, '[phone]'],
  [/\b(19|20)\d{2}-\d{2}-\d{2}\b(?!T)/g, '[date]', '-'],
  [/\bBearer\s+[\w.~+/-]+=*/gi, 'Bearer [token]'],
  // PostgreSQL quotes the offending input after a colon (`invalid input syntax for type uuid: "..."`),
  // and error messages reach the log; identifiers it quotes (`relation "x"`) follow no colon.
  [/(:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[value]"', '"'],
];

export const REDACTED = '[redacted]';

export const isPhiKey = (key: string): boolean => PHI_KEYS.has(normalised(key));

export function redactString(value: string): string {
  let text = value;
  for (const [pattern, replacement, everyMatchContains] of SCRUBS) {
    if (everyMatchContains === undefined || text.includes(everyMatchContains)) {
      text = text.replace(pattern, replacement);
    }
  }
  return text;
}

// Deeper than anything logged on purpose; a structure this deep (or cyclic) is dropped, not passed on unread.
const MAX_DEPTH = 6;
const TOO_DEEP = '[too deep]';

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return redactError(value);
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isPhiKey(key) ? REDACTED : redact(inner, depth + 1)]),
  );
}

function redactError(error: Error): Record<string, unknown> {
  return {
    name: error.name,
    message: redactString(error.message),
    stack: error.stack ? redactString(error.stack) : undefined,
  };
}
