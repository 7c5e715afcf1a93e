import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Response } from 'supertest';
import { declaredRoutes } from '../../src/platform/route-metadata';
import type { Runtime } from '../../src/runtime';
import type { Identity } from './identities';

/**
 * Table-driven authorization tests: one row per route, the status each kind of caller must get. A row
 * names its route as `METHOD /v1/path` exactly as the router declares it, so that a route without a row
 * shows up (see `undeclaredRows` and `routesWithoutRows`).
 */
export interface MatrixRow<Caller extends string> {
  readonly route: string;
  /** Makes the request as `who` (undefined: no token). */
  readonly call: (who: Identity | undefined) => Promise<Response>;
  readonly expected: Readonly<Record<Caller, number>>;
}

/** Every route of a router as `METHOD /v1/path`. */
export function routesOf(router: Router): string[] {
  return declaredRoutes(router).flatMap((route) =>
    route.methods.map((method) => `${method} /v1${route.path}`),
  );
}

/** The router the runtime mounts that serves `route` (`METHOD /v1/path`): also proves it is mounted. */
export function routerServing(runtime: Pick<Runtime, 'routers'>, route: string): Router {
  const router = runtime.routers.find((candidate) => routesOf(candidate).includes(route));
  if (!router) throw new Error(`No mounted router serves ${route}`);
  return router;
}

/** The routes of `router` that have no row in `rows`. */
export function routesWithoutRows(router: Router, rows: readonly MatrixRow<string>[]): string[] {
  const covered = new Set(rows.map((row) => row.route));
  return routesOf(router).filter((route) => !covered.has(route));
}

/**
 * Runs every row for every caller and answers `route caller -> status` for each one that differs, so a
 * failure lists all the wrong answers at once. Refusals must be problem+json.
 */
export async function matrixMismatches<Caller extends string>(
  rows: readonly MatrixRow<Caller>[],
  callers: Readonly<Record<Caller, Identity | undefined>>,
): Promise<string[]> {
  const mismatches: string[] = [];
  for (const row of rows) {
    for (const [caller, expected] of Object.entries(row.expected) as [Caller, number][]) {
      const response = await row.call(callers[caller]);
      if (response.status !== expected)
        mismatches.push(`${row.route} as ${caller}: expected ${expected}, got ${response.status}`);
      else if (expected >= 400 && response.type !== 'application/problem+json')
        mismatches.push(`${row.route} as ${caller}: ${expected} is not problem+json`);
    }
  }
  return mismatches;
}

/** A fresh request id, for finding the audit events of one request. */
export const newRequestId = () => `test-${randomUUID()}`;

/** The ids of the items of a page response, in order. */
export const idsOf = (response: Response): string[] =>
  (response.body as { items: { id: string }[] }).items.map((item) => item.id);
