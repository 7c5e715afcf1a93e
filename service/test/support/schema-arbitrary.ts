import fc from 'fast-check';

/**
 * fast-check arbitraries for the JSON Schemas of the served OpenAPI document (what zod emits: objects,
 * strings with limits, formats and patterns, integers, enums, unions). zod-fast-check does not support
 * zod 4, and deriving from the document tests what clients are told, which is the contract anyway.
 */
type Schema = Record<string, unknown>;

const FORMATS: Record<string, () => fc.Arbitrary<string>> = {
  uuid: () => fc.uuid(),
  email: () => fc.emailAddress().filter((email) => email.length <= 254),
  date: () =>
    fc
      .date({ min: new Date('1901-01-01'), max: new Date('2024-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10)),
  'date-time': () =>
    fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString()),
};

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) return format();
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 64, minLength + 64);
  return fc
    .string({ minLength, maxLength, unit: 'grapheme' })
    .filter((text) => text.trim().length >= minLength);
}

/** Values that match `schema` (as far as its keywords go: refinements in code may still refuse them). */
export function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) return fc.oneof(...union.map(arbitraryOf));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: Math.max((schema.minimum as number | undefined) ?? -1000, -(2 ** 31)),
        max: Math.min((schema.maximum as number | undefined) ?? 1000, 2 ** 31 - 1),
      });
    case 'number':
      return fc.double({ min: -1e6, max: 1e6, noNaN: true });
    case 'string':
      return stringOf(schema);
    case 'array':
      return fc.array(arbitraryOf((schema.items as Schema | undefined) ?? {}), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 5, 5),
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      return fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([name, property]) => [name, arbitraryOf(property)]),
        ),
        { requiredKeys: required },
      );
    }
    default:
      return fc.jsonValue();
  }
}
