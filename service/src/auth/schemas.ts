import { z } from 'zod';

/** Bounded before anything hashes it; the length policy itself answers as a field problem. */
const password = z.string().min(1).max(1024);
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
export const PasswordResetConfirmBody = z.strictObject({ token: opaque, newPassword: password });
export const MfaConfirmBody = z.strictObject({ code: totpCode });

export { email as EmailSchema, password as PasswordSchema };
