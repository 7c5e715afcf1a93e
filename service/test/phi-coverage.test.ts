import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { auditedRoutes, routeKey as key } from './support/audited-routes';
import { DISTINCTIVE_NAME_PREFIXES, useDistinctivePhi } from './support/identities';
import { phiRouteCases } from './support/phi-cases';
import type { PhiRouteCase } from './support/phi-cases/types';
import { useTestApp } from './support/test-app';

interface AuditedRow {
  patient_ids: string[];
  outcome: string;
  action: string;
}

// Values no code path has a reason to copy: if one turns up in an audit event or a log line, PHI leaked.
const PHI_MARKERS = [...DISTINCTIVE_NAME_PREFIXES, '+1415777', '1931-02-'];

describe('PHI routes and the audit trail', function () {
  this.timeout(180_000);
  const outcomes = new Map<string, { requestId: string; patientId?: string; status: number }>();
  const app = useTestApp();

  before(async () => {
    useDistinctivePhi(true);
    try {
      for (const phiCase of phiRouteCases) {
        const requestId = `phi-coverage-${randomBytes(6).toString('hex')}`;
        outcomes.set(key(phiCase.method, phiCase.path), {
          requestId,
          ...(await phiCase.call(app.runtime, requestId)),
        });
      }
    } finally {
      useDistinctivePhi(false);
    }
  });

  it('has a coverage case for every route that declares an audit, and no case for a route that does not', () => {
    const routes = auditedRoutes(app.runtime);
    const cases = phiRouteCases.map((c: PhiRouteCase) => key(c.method, c.path));
    expect(
      routes.filter((route) => !cases.includes(route)),
      'PHI routes without a coverage case',
    ).to.deep.equal([]);
    expect(
      cases.filter((c) => !routes.includes(c)),
      'cases for routes that are not audited',
    ).to.deep.equal([]);
  });

  it('refuses an operator (aggregates only) every PHI route with 403', async () => {
    const operator = await app.operator();
    const answers: string[] = [];
    for (const route of auditedRoutes(app.runtime)) {
      const [method = '', template = ''] = route.split(' ');
      // Any id will do: the role guard answers before the record is looked up.
      const path = template.replace(/:\w+/g, () => randomUUID());
      const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const call = app.http()[verb](path).set(operator.headers);
      // GET and DELETE take no body (a body there is refused with 415 before any guard runs).
      const response = await (verb === 'get' || verb === 'delete' ? call : call.send({}));
      if (response.status !== 403 || response.type !== 'application/problem+json')
        answers.push(`${route}: ${response.status}`);
    }
    expect(answers, 'PHI routes that did not refuse the operator with 403').to.deep.equal([]);
  });

  it('writes an audit event, naming the patient, for every successful call of every PHI route', async () => {
    const missing: string[] = [];
    for (const [route, outcome] of outcomes) {
      expect(outcome.status, `${route} answered ${outcome.status}`).to.be.within(200, 299);
      const rows = await app.runtime.sequelize.query<AuditedRow>(
        'SELECT patient_ids, outcome, action FROM audit_events WHERE request_id = $1',
        { bind: [outcome.requestId], type: QueryTypes.SELECT },
      );
      const named = rows.some(
        (row) =>
          row.outcome === 'success' && (!outcome.patientId || row.patient_ids.includes(outcome.patientId)),
      );
      if (!named) missing.push(route);
    }
    expect(missing, 'PHI routes whose call left no audit event naming the patient').to.deep.equal([]);
  });

  it('keeps the distinctive PHI of the patients it used out of every audit event and every log line', async () => {
    const [stored] = await app.runtime.sequelize.query<{ count: string }>(
      `SELECT count(*) FROM patients WHERE given_name LIKE $1 || '%'`,
      { bind: [DISTINCTIVE_NAME_PREFIXES[0]], type: QueryTypes.SELECT },
    );
    expect(Number(stored?.count), 'the cases created patients with distinctive PHI').to.be.greaterThan(0);

    const events = await app.runtime.sequelize.query<{ event: string }>(
      'SELECT row_to_json(a)::text AS event FROM audit_events a',
      {
        type: QueryTypes.SELECT,
      },
    );
    const logLines = app.runtime.logLines().map((line) => JSON.stringify(line));
    for (const marker of PHI_MARKERS) {
      expect(
        events.filter((row) => row.event.includes(marker)),
        `audit events containing ${marker}`,
      ).to.deep.equal([]);
      expect(
        logLines.filter((line) => line.includes(marker)),
        `log lines containing ${marker}`,
      ).to.deep.equal([]);
    }
  });
});
