import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { createTestDatabase } from '../test/support/environment';
import { startService } from '../test/support/service-process';

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('the service process', function () {
  this.timeout(60_000);

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const service = await startService({ DATABASE_URL: await createTestDatabase('lifecycle') });
    const body = JSON.stringify({ slowly: 'sent body' });
    const inFlight = await openSocket(service.port);
    let response = '';
    inFlight.on('data', (chunk: Buffer) => (response += chunk.toString()));
    inFlight.write(
      `POST /v1/slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await openSocket(service.port).then(
      (socket) => {
        socket.destroy();
        return false;
      },
      (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
    );
    expect(refused, 'a new connection was accepted after SIGTERM').to.equal(true);

    inFlight.write(body.slice(5));
    const [code] = (await exited) as [number | null];
    expect(response).to.match(/^HTTP\/1\.1 404 /);
    expect(response).to.include('application/problem+json');
    expect(code, service.output()).to.equal(0);
  });

  it('on SIGTERM answers /readyz 503 for SHUTDOWN_READINESS_DELAY_MS while still serving, then closes', async () => {
    const service = await startService({
      DATABASE_URL: await createTestDatabase('drain'),
      SHUTDOWN_READINESS_DELAY_MS: '1500',
    });
    const base = `http://127.0.0.1:${service.port}`;
    expect((await fetch(`${base}/readyz`)).status).to.equal(200);
    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).to.deep.equal([
      503,
      { status: 'unavailable', reason: 'shutting_down' },
    ]);
    // Requests still in the load balancer's pipeline are served meanwhile.
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    const [code] = (await exited) as [number | null];
    expect(code, service.output()).to.equal(0);
    await fetch(`${base}/healthz`).then(
      () => expect.fail('the listener is still open'),
      (error: Error) => expect(error).to.be.instanceOf(TypeError),
    );
  });

  it('refuses to start with an invalid configuration, naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(1);
    expect(stderr).to.include('PORT').and.include('ENCRYPTION_KEYS').and.include('DATABASE_URL');
  });
});
