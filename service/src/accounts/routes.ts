import { z } from 'zod';
import { authOf, originOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import { ROLES } from '../auth/model';
import { defineRoute, mountRoutes } from '../routing/route';
import { presentAccount } from './presenter';
import { CreateUserBody, RegisterBody } from './schemas';
import type { Accounts } from './service';

const AccountResponse = z.object({
  id: z.uuid(),
  email: z.email().max(254),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime(),
});

export function accountRoutes(accounts: Accounts) {
  return mountRoutes([
    defineRoute({
      method: 'post',
      path: '/auth/register',
      summary: 'Register as a patient',
      tags: ['auth'],
      guards: 'public',
      input: { body: RegisterBody },
      responses: { 201: { description: 'Registered', schema: AccountResponse } },
      problems: [409, 429],
      handler: async (ctx, { body }) => {
        const user = await accounts.registerPatient(body, originOf(ctx));
        ctx.status = 201;
        ctx.body = presentAccount(user);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/users',
      summary: 'Create a provider, admin or operator account (invited by email)',
      tags: ['admin'],
      guards: [requireRole('admin'), requireAal2()],
      input: { body: CreateUserBody },
      responses: { 201: { description: 'Created', schema: AccountResponse } },
      problems: [409],
      handler: async (ctx, { body }) => {
        const user = await accounts.createStaff(authOf(ctx), body, originOf(ctx));
        ctx.status = 201;
        ctx.body = presentAccount(user);
      },
    }),
  ]);
}
