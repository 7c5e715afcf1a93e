import { z } from 'zod';

/**
 * A URL variable that says precisely what is wrong: not a URL at all, or the wrong scheme (a mysql://
 * DATABASE_URL is told that PostgreSQL is needed, not that the URL is invalid). Empty counts as unset.
 */
export function urlVariable(schemes: readonly string[], example: string) {
  const expected = schemes.map((scheme) => `${scheme}://`).join(' or ');
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .superRefine((value, context) => {
        let scheme: string;
        try {
          scheme = new URL(value).protocol.replace(/:$/, '');
        } catch {
          context.addIssue({ code: 'custom', message: `is not a URL; expected one like ${example}` });
          return;
        }
        if (!schemes.includes(scheme))
          context.addIssue({
            code: 'custom',
            message: `has the scheme ${scheme}:// but must be ${expected} (e.g. ${example})`,
          });
      })
      .optional(),
  );
}
