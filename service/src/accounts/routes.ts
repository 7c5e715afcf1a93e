import Router from '@koa/router';
import { authOf, originOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import { publicRoute } from '../platform/route-metadata';
import { bodyOf, validate } from '../platform/validate';
import { presentAccount } from './presenter';
import { CreateUserBody, RegisterBody } from './schemas';
import type { Accounts } from './service';

export function accountRoutes(accounts: Accounts): Router {
  const router = new Router();

  router.post('/auth/register', publicRoute(), validate({ body: RegisterBody }), async (ctx) => {
    const user = await accounts.registerPatient(bodyOf(ctx, RegisterBody), originOf(ctx));
    ctx.status = 201;
    ctx.body = presentAccount(user);
  });

  router.post(
    '/admin/users',
    requireRole('admin'),
    requireAal2(),
    validate({ body: CreateUserBody }),
    async (ctx) => {
      const user = await accounts.createStaff(authOf(ctx), bodyOf(ctx, CreateUserBody), originOf(ctx));
      ctx.status = 201;
      ctx.body = presentAccount(user);
    },
  );

  return router;
}
