import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { urlFor } from '../../service/test/support/environment';
import type { Identity } from '../../service/test/support/identities';
import { useTestApp } from '../../service/test/support/test-app';
import { startService, type StartedService } from '../../service/test/support/service-process';

/** `npm run smoke` as a person runs it: its own process, against the real service in its own process. */
async function smoke(base: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'ops/smoke/cli.ts', '--base', base], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, output };
}

const resultOf = (output: string, check: string) =>
  output
    .split('\n')
    .find((line) => line.includes(`  ${check}  `))
    ?.slice(0, 4);

describe('npm run smoke', function () {
  this.timeout(120_000);
  const app = useTestApp();
  let service: StartedService;
  let base: string;
  let patient: Identity;
  let auditor: Identity;

  before(async () => {
    patient = await app.patient();
    auditor = await app.admin();
    service = await startService({ DATABASE_URL: urlFor(app.runtime.sequelize.getDatabaseName()) });
    base = `http://127.0.0.1:${service.port}`;
  });

  after(async () => {
    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    await exited;
  });

  const accounts = () => ({
    SMOKE_PATIENT_EMAIL: patient.email,
    SMOKE_PATIENT_PASSWORD: patient.password,
    SMOKE_AUDITOR_EMAIL: auditor.email,
    SMOKE_AUDITOR_PASSWORD: auditor.password,
    SMOKE_AUDITOR_TOTP_SECRET: auditor.totpSecret,
  });

  it('passes every check against a healthy service, printing one table row per check', async () => {
    const { code, output } = await smoke(base, accounts());
    expect(code, output).to.equal(0);
    for (const check of [
      'readiness',
      'JWKS',
      'login (synthetic patient)',
      'consultation request',
      'consultation cancellation',
      'metrics series',
      'audit verification',
    ])
      expect(resultOf(output, check), `${check}\n${output}`).to.equal('PASS');
    expect(output).to.include('status cancelled').and.include('smoke test passed');
    expect(output).not.to.include(patient.password);
  });

  it('fails (exit 1) and says which checks failed when the login does not work', async () => {
    const { code, output } = await smoke(base, {
      ...accounts(),
      SMOKE_PATIENT_PASSWORD: 'not-the-password',
      SMOKE_AUDITOR_TOTP_SECRET: '',
    });
    expect(code, output).to.equal(1);
    expect(resultOf(output, 'readiness')).to.equal('PASS');
    expect(resultOf(output, 'login (synthetic patient)'), output).to.equal('FAIL');
    expect(resultOf(output, 'consultation request')).to.equal('FAIL');
    expect(resultOf(output, 'audit verification')).to.equal('FAIL');
    expect(output).to.include('login: HTTP 401').and.include('smoke test FAILED: 4 check(s)');
  });

  it('fails against an address where nothing listens, and refuses to run without --base', async () => {
    const down = await smoke('http://127.0.0.1:1', accounts());
    expect(down.code).to.equal(1);
    expect(resultOf(down.output, 'readiness')).to.equal('FAIL');
    const usage = await smoke('', accounts());
    expect(usage.code).to.equal(2);
    expect(usage.output).to.include('usage: npm run smoke -- --base URL');
  });
});
