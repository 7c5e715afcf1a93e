import { z } from 'zod';
import { ROLES } from '../auth/model';
import type { RouteDeclaration } from '../platform/openapi';
import { CreateUserBody, RegisterBody } from './schemas';

/** The account routes (accounts/routes.ts) for the OpenAPI document. */
const AccountResponse = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime(),
});

export const accountRouteDeclarations: readonly RouteDeclaration[] = [
  {
    method: 'post',
    path: '/auth/register',
    summary: 'Register as a patient',
    tags: ['auth'],
    security: 'public',
    body: RegisterBody,
    responses: { 201: { description: 'Registered', schema: AccountResponse } },
    problems: [409, 429],
  },
  {
    method: 'post',
    path: '/admin/users',
    summary: 'Create a provider or admin account (invited by email)',
    tags: ['admin'],
    security: 'bearer',
    body: CreateUserBody,
    responses: { 201: { description: 'Created', schema: AccountResponse } },
    problems: [409],
  },
];
