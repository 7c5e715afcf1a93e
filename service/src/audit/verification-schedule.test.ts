import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createAuditHarness } from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';

// Issue 12, point 1: verification is a scheduled, scraped fact. A fresh pod exports no result (it used
// to export 0, which paged CarewatchAuditVerificationFailed on every start); one instance runs each due
// verification; every instance then exports the same latest result.

const DAY_MS = 24 * 60 * 60 * 1000;
const SUCCESS = /^carewatch_audit_last_verification_success (\S+)$/m;
const TIMESTAMP = /^carewatch_audit_last_verification_timestamp_seconds \S+$/m;

describe('scheduled audit verification', () => {
  let url: string;
  let pods: ReturnType<typeof createAuditHarness>[];

  beforeEach(async () => {
    url = await createTestDatabase('audit_verify');
    pods = [createAuditHarness(url), createAuditHarness(url)];
    await pods[0]!.migrate();
  });

  afterEach(async () => {
    await Promise.all(pods.map((pod) => pod.close()));
    await dropDatabase(url);
  });

  const runs = async (state: string) =>
    (
      await pods[0]!.sequelize.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_verifications WHERE state = $1`,
        { bind: [state], type: QueryTypes.SELECT },
      )
    )[0]!.n;

  it('exports no verification result on a fresh instance, before any verification ran', async () => {
    const exposition = await pods[0]!.metrics.render();
    expect(exposition).not.to.match(SUCCESS);
    expect(exposition).not.to.match(TIMESTAMP);
  });

  it('verifies once across instances when a run is due, and every instance exports the result', async () => {
    await Promise.all(pods.map((pod) => pod.audit.verification.tick(DAY_MS)));
    expect(await runs('started')).to.equal(1);
    expect(await runs('passed')).to.equal(1);
    // The instance that lost the lock reads the result on its next tick.
    await Promise.all(pods.map((pod) => pod.audit.verification.tick(DAY_MS)));
    expect(await runs('passed'), 'not due again within the interval').to.equal(1);
    for (const pod of pods) {
      const exposition = await pod.metrics.render();
      expect(exposition.match(SUCCESS)?.[1]).to.equal('1');
      expect(exposition).to.match(TIMESTAMP);
    }
  });

  it('exports a failed verification from the latest run, whichever instance ran it', async () => {
    await pods[0]!.audit.verify();
    await pods[1]!.sequelize.query(
      `INSERT INTO audit_verifications (run_id, state, problem_kind) VALUES (gen_random_uuid(), 'failed', 'altered')`,
    );
    await pods[0]!.audit.verification.exportLatest();
    expect((await pods[0]!.metrics.render()).match(SUCCESS)?.[1]).to.equal('0');
  });
});
