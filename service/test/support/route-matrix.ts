import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { expect } from 'chai';
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

export interface Matrix<Caller extends string> {
  readonly runtime: Pick<Runtime, 'routers'>;
  /** One route of the router under test, to find it among the mounted ones. */
  readonly servedBy: string;
  readonly rows: readonly MatrixRow<Caller>[];
  readonly callers: Readonly<Record<Caller, Identity | undefined>>;
}

/** The two tests of a router's matrix; `matrix` is read when they run (after the `before` hooks). */
export function itAnswersAsTheMatrixSays<Caller extends string>(matrix: () => Matrix<Caller>): void {
  it('has a row in the authorization matrix for every route', () => {
    const { runtime, servedBy, rows } = matrix();
    expect(routesWithoutRows(routerServing(runtime, servedBy), rows)).to.deep.equal([]);
  });

  it('answers each caller as the authorization matrix says', async function () {
    this.timeout(30_000);
    const { rows, callers } = matrix();
    expect(await matrixMismatches(rows, callers)).to.deep.equal([]);
  });
}
