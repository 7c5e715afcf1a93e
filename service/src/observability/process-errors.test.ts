import { once } from 'node:events';
import { expect } from 'chai';
import { createTestDatabase } from '../../test/support/environment';
import { startService, type StartedService } from '../../test/support/service-process';

const PROVOKER = './service/test/support/provoke-on-signal.ts';

async function provoke(kind: 'rejection' | 'exception', purpose: string): Promise<StartedService> {
  const env = { DATABASE_URL: await createTestDatabase(purpose), PROVOKE: kind };
  const service = await startService(env, { imports: [PROVOKER] });
  service.child.kill('SIGUSR2');
  return service;
}

function errorLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.level === 'error');
}

/** Polls until the service wrote an error line (the provoked failure is asynchronous to the signal). */
async function firstErrorLine(service: StartedService): Promise<Record<string, unknown>> {
  for (;;) {
    const [line] = errorLines(service.output());
    if (line) return line;
    if (service.child.exitCode !== null)
      throw new Error(`exited without an error line:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('process-level errors', function () {
  this.timeout(60_000);

  it('logs and counts an unhandled rejection, and keeps serving', async () => {
    const service = await provoke('rejection', 'rejection');
    const line = await firstErrorLine(service);
    expect(line.message).to.equal('unhandled promise rejection');
    expect((line.error as { stack: string }).stack).to.include('provoked rejection');

    const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    expect(metrics).to.include('carewatch_errors_unhandled_total{kind="process"} 1');
    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    expect((await exited)[0]).to.equal(0);
  });

  it('logs an uncaught exception with its stack, then exits non-zero', async () => {
    const service = await provoke('exception', 'exception');
    const exited = once(service.child, 'exit');
    const line = await firstErrorLine(service);
    expect(line.message).to.equal('uncaught exception; exiting');
    expect((line.error as { stack: string }).stack).to.include('provoked exception');
    expect((await exited)[0], service.output()).to.equal(1);
    expect(errorLines(service.output())).to.have.length(1);
  });
});
