import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { createTestDatabase } from '../test/support/environment';
import { startService, type StartedService } from '../test/support/service-process';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request whose body is not finished: it stays in flight until `finish` is called. */
async function requestInFlight(port: number): Promise<{ finish(): void; response(): string }> {
  const body = JSON.stringify({ slowly: 'sent body' });
  const socket: Socket = await new Promise((resolve, reject) => {
    const opened = connect(port, '127.0.0.1', () => resolve(opened));
    opened.once('error', reject);
  });
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  socket.write(
    `POST /v1/slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
  );
  await pause(200);
  return { finish: () => socket.write(body.slice(5)), response: () => response };
}

describe('shutdown signals', function () {
  this.timeout(180_000);
  let service: StartedService;

  beforeEach(async () => {
    service = await startService({
      DATABASE_URL: await createTestDatabase(`signals_${Date.now()}`),
      SHUTDOWN_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'info',
    });
  });

  afterEach(() => service.child.kill('SIGKILL'));

  it('a second signal while draining does not cut the drain short', async () => {
    const request = await requestInFlight(service.port);
    const exited = once(service.child, 'exit');
    service.child.kill('SIGTERM');
    await pause(700);
    service.child.kill('SIGINT');
    await pause(700);
    request.finish();
    const [code] = (await exited) as [number];
    expect(request.response()).to.match(/^HTTP\/1\.1 404 /);
    expect(service.output()).to.include('a third signal forces an exit').and.include('"stopped"');
    expect(code, service.output()).to.equal(0);
  });

  it('signals arriving together (the terminal and npm forwarding one Ctrl-C) count once', async () => {
    const request = await requestInFlight(service.port);
    const exited = once(service.child, 'exit');
    for (let i = 0; i < 3; i += 1) service.child.kill('SIGINT');
    await pause(700);
    request.finish();
    const [code] = (await exited) as [number];
    expect(service.output()).not.to.include('forced exit');
    expect(code, service.output()).to.equal(0);
  });

  it('a third signal forces the exit, and says so', async () => {
    await requestInFlight(service.port);
    const exited = once(service.child, 'exit');
    for (const signal of ['SIGTERM', 'SIGTERM', 'SIGINT'] as const) {
      service.child.kill(signal);
      await pause(700);
    }
    const [code] = (await exited) as [number];
    expect(service.output()).to.include('forced exit');
    expect(code).to.equal(1);
  });
});

describe('Ctrl-C under npm start', function () {
  // npm start compiles first when dist/ is older than the sources.
  this.timeout(300_000);

  it('drains and exits 0 when the whole process group gets SIGINT, as from a terminal', async () => {
    const npm = spawn('npm', ['start'], {
      env: {
        ...process.env,
        DATABASE_URL: await createTestDatabase('npm_start'),
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, like a terminal's foreground job: the signal reaches npm and node alike.
      detached: true,
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(npm, 'exit');
    while (!output.includes('listening on')) {
      if (npm.exitCode !== null) throw new Error(output);
      await pause(100);
    }
    process.kill(-(npm.pid as number), 'SIGINT');
    const [code] = (await exited) as [number | null];
    expect(output).to.include('"stopped"').and.not.include('forced exit');
    expect(code, output).to.equal(0);
  });
});
