import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ConfigError, loadConfig } from '../config';
import { createAuditHarness } from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { asSuperuser, createLoginRole } from '../../test/support/roles';

describe('audit retention', () => {
  let url: string;
  let owner: ReturnType<typeof createAuditHarness>;

  const partitions = async () =>
    (
      await owner.sequelize.query<{ name: string }>(
        `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_events'::regclass ORDER BY 1`,
        { type: QueryTypes.SELECT },
      )
    ).map((row) => row.name);
  const partitionYearsAgo = (years: number) =>
    owner.sequelize
      .query<{ name: string }>(
        `SELECT audit_maintain_partitions((now() - make_interval(years => $1))::date, 0),
            format('audit_events_%s', to_char(now() - make_interval(years => $1), 'YYYY_MM')) AS name`,
        { bind: [years], type: QueryTypes.SELECT },
      )
      .then(([row]) => row!.name);
  const eventYearsAgo = (years: number) =>
    asSuperuser(url, (client) =>
      client.query(
        `INSERT INTO audit_events (occurred_at, actor_role, action, event_type, resource_type, outcome)
     VALUES (now() - make_interval(years => $1), 'system', 'security', 'test.old', 'User', 'success')`,
        [years],
      ),
    );

  before(async () => {
    url = await createTestDatabase('audit_retention');
    owner = createAuditHarness(url);
    await owner.migrate();
  });

  after(async () => {
    await owner.close();
    await dropDatabase(url);
  });

  it('creates partitions ahead of time and drops only those entirely older than the retention period', async () => {
    expect(await owner.audit.ensurePartitions()).to.be.at.least(0);
    const nextMonth = new Date();
    nextMonth.setUTCDate(1);
    nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 3);
    expect(await partitions()).to.include(
      `audit_events_${nextMonth.getUTCFullYear()}_${String(nextMonth.getUTCMonth() + 1).padStart(2, '0')}`,
    );

    const expired = await partitionYearsAgo(7);
    const kept = await partitionYearsAgo(5);
    await eventYearsAgo(7);
    await eventYearsAgo(5);
    while ((await owner.audit.sealer.sealOnce()) === 0);

    // Retention runs as a member of carewatch_retention, as the retention job does in production.
    const role = await createLoginRole(url, 'carewatch_retention');
    const retention = createAuditHarness(role.url(url));
    try {
      expect(await retention.audit.dropExpiredPartitions()).to.deep.equal([expired]);
    } finally {
      await retention.close();
      await role.drop();
    }
    const remaining = await partitions();
    expect(remaining).not.to.include(expired);
    expect(remaining).to.include(kept);
    const [logged] = await owner.sequelize.query<{ details: { partition: string } }>(
      `SELECT details FROM audit_events WHERE event_type = 'audit.retention'`,
      { type: QueryTypes.SELECT },
    );
    expect(logged!.details.partition).to.equal(expired);
    // The pruned block still chains; the events of the kept partition still verify.
    expect(await owner.audit.verify()).to.include({ ok: true, prunedBlocks: 1 });
  });

  it('refuses at start-up a retention period under six years, and the development checkpoint key in production', () => {
    expect(() => loadConfig({ AUDIT_RETENTION_YEARS: '5' })).to.throw(ConfigError, /AUDIT_RETENTION_YEARS/);
    expect(loadConfig({ AUDIT_RETENTION_YEARS: '7' }).audit.retentionYears).to.equal(7);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.example/carewatch',
      ENCRYPTION_KEYS: `prod:${Buffer.alloc(32, 7).toString('base64')}`,
      ENCRYPTION_ACTIVE_KEY_ID: 'prod',
    };
    expect(() => loadConfig(production)).to.throw(ConfigError, /AUDIT_CHECKPOINT_KEY/);
  });
});
