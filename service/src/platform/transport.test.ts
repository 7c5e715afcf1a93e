import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { api } from '../../test/support/http';
import { useTestApp } from '../../test/support/test-app';
import { createCache } from './cache';
import { createDatabase } from './db';

/** What Sequelize hands pg (declared by sequelize at runtime, not in its types). */
const dialectOptionsOf = (sequelize: object) =>
  (sequelize as { options: { dialectOptions: Record<string, unknown> } }).options.dialectOptions;

describe('transport security', () => {
  const app = useTestApp();

  it('sends HSTS for a year with subdomains, and no-store on every API answer, errors included', async () => {
    const patient = await app.patient();
    const read = await api(app.runtime).get('/v1/patients/me').set(patient.headers).expect(200);
    const refused = await api(app.runtime).get('/v1/patients/me').expect(401);
    for (const response of [read, refused]) {
      expect(response.headers['cache-control']).to.equal('no-store');
      const hsts = String(response.headers['strict-transport-security']);
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).to.be.at.least(31_536_000);
      expect(hsts).to.include('includeSubDomains');
    }
  });

  it('connects to PostgreSQL over verified TLS when DATABASE_URL says sslmode=verify-full', async () => {
    const ca = join(tmpdir(), `carewatch-ca-${process.pid}.pem`);
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const url = `postgres://carewatch@db.internal.example:5432/carewatch?sslmode=verify-full&sslrootcert=${ca}`;
    expect(loadConfig({ DATABASE_URL: url }).database.url).to.equal(url);
    const sequelize = createDatabase({ url, poolMax: 1, statementTimeoutMs: 1000 });
    const { ssl } = dialectOptionsOf(sequelize) as {
      ssl?: { ca?: string; rejectUnauthorized?: boolean };
    };
    expect(ssl?.ca).to.include('BEGIN CERTIFICATE');
    // verify-full: the certificate chain and the host name are checked (pg's default when ssl is an object).
    expect(ssl?.rejectUnauthorized).to.not.equal(false);
    await sequelize.close();
    const plain = createDatabase({
      url: 'postgres://carewatch@127.0.0.1/carewatch',
      poolMax: 1,
      statementTimeoutMs: 1000,
    });
    expect(dialectOptionsOf(plain)).to.not.have.property('ssl');
    await plain.close();
  });

  it('connects to Redis over TLS when REDIS_URL is rediss://', async () => {
    const config = loadConfig({ REDIS_URL: 'rediss://cache.internal.example:6380' });
    const cache = createCache(
      { ...config.redis, keyPrefix: 'tls-test:' },
      createMetrics(),
      createLogger({ level: 'error' }),
    );
    expect(cache.redis?.options.tls).to.be.ok;
    await cache.close();
  });
});
