import { z } from 'zod';
import type { RouteDeclaration } from '../platform/openapi';
import * as S from './schemas';

/** The authentication routes (auth/routes.ts, auth/mfa-routes.ts, the JWKS) for the OpenAPI document. */
const TokenPair = z.object({
  status: z.literal('authenticated').optional(),
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int().optional(),
});
const LoginResponse = z.union([
  TokenPair,
  z.object({ status: z.literal('mfa_required'), mfaToken: z.string() }),
]);
const tags = ['auth'];
const publicPost = (path: string, summary: string, body: z.ZodType, response: z.ZodType) =>
  ({
    method: 'post',
    path,
    summary,
    tags,
    security: 'public',
    body,
    responses: { 200: { description: summary, schema: response } },
    problems: [401, 429],
  }) as const satisfies RouteDeclaration;
const noContent = (path: string, summary: string, body?: z.ZodType): RouteDeclaration => ({
  method: 'post',
  path,
  summary,
  tags,
  security: body ? 'public' : 'bearer',
  ...(body ? { body } : {}),
  responses: { 204: { description: 'Done' } },
});

export const authRouteDeclarations: readonly RouteDeclaration[] = [
  publicPost('/auth/login', 'Log in with email and password', S.LoginBody, LoginResponse),
  publicPost('/auth/mfa/verify', 'Complete a login with a second factor', S.MfaVerifyBody, TokenPair),
  publicPost('/auth/refresh', 'Exchange a refresh token (rotated) for new tokens', S.RefreshBody, TokenPair),
  noContent('/auth/logout', 'End this session'),
  noContent('/auth/logout-all', 'End every session of this account'),
  {
    method: 'post',
    path: '/auth/step-up',
    summary: 'Prove identity again before a sensitive action',
    tags,
    security: 'bearer',
    body: S.StepUpBody,
    responses: {
      200: {
        description: 'Confirmed',
        schema: z.object({ stepUpAt: z.iso.datetime(), aal: z.enum(['aal1', 'aal2']) }),
      },
    },
    problems: [429],
  },
  {
    method: 'post',
    path: '/auth/password-reset',
    summary: 'Ask for a reset link (never says whether the account exists)',
    tags,
    security: 'public',
    body: S.PasswordResetBody,
    responses: { 202: { description: 'Accepted' } },
    problems: [429],
  },
  noContent(
    '/auth/password-reset/confirm',
    'Set a new password with a reset token',
    S.PasswordResetConfirmBody,
  ),
  {
    method: 'get',
    path: '/me',
    summary: 'Who I am and my session',
    tags,
    security: 'bearer',
    responses: { 200: { description: 'The caller' } },
  },
  {
    method: 'post',
    path: '/auth/mfa/totp',
    summary: 'Start TOTP enrollment (needs a recent step-up)',
    tags,
    security: 'bearer',
    responses: { 201: { description: 'The secret and its otpauth URI' } },
  },
  {
    method: 'post',
    path: '/auth/mfa/totp/confirm',
    summary: 'Confirm TOTP enrollment with a code; answers recovery codes',
    tags,
    security: 'bearer',
    body: S.MfaConfirmBody,
    responses: {
      200: { description: 'Recovery codes', schema: z.object({ recoveryCodes: z.array(z.string()) }) },
    },
  },
  {
    method: 'post',
    path: '/auth/mfa/recovery-codes',
    summary: 'Replace the recovery codes (needs a recent step-up)',
    tags,
    security: 'bearer',
    responses: {
      200: { description: 'Recovery codes', schema: z.object({ recoveryCodes: z.array(z.string()) }) },
    },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The public keys that verify access tokens',
    tags,
    security: 'public',
    server: '/',
    responses: { 200: { description: 'A JSON Web Key Set' } },
  },
];
