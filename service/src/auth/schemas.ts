import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';

/** Bounded before anything hashes it; an existing password may predate today's rules. */
const password = z.string().min(1).max(1024);
/**
 * A password being chosen: the length rules here (so the OpenAPI document states them), the block-list
 * in the password policy, which answers as a field problem too.
 */
const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .describe(
    `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, no composition rules; common passwords ` +
      '(and common words padded with digits or symbols, such as "password2024!") are refused.',
  );
const email = z.email().max(254);
const opaque = z.string().min(16).max(256);
const totpCode = z
  .string()
  .length(6)
  .regex(/^\d{6}$/, 'a 6-digit code');
const recoveryCode = z.string().min(10).max(64);

export const LoginBody = z.strictObject({ email, password });
export const RefreshBody = z.strictObject({ refreshToken: opaque });
export const MfaVerifyBody = z
  .strictObject({ mfaToken: opaque, code: totpCode.optional(), recoveryCode: recoveryCode.optional() })
  .refine(
    (body) => (body.code === undefined) !== (body.recoveryCode === undefined),
    'send either code or recoveryCode',
  );
export const StepUpBody = z
  .strictObject({
    password: password.optional(),
    code: totpCode.optional(),
    recoveryCode: recoveryCode.optional(),
  })
  .refine(
    (body) => [body.password, body.code, body.recoveryCode].filter((v) => v !== undefined).length === 1,
    'send one of password, code or recoveryCode',
  );
export const PasswordResetBody = z.strictObject({ email });
export const PasswordResetConfirmBody = z.strictObject({ token: opaque, newPassword });
export const MfaConfirmBody = z.strictObject({ code: totpCode });

export { email as EmailSchema, newPassword as NewPasswordSchema };
