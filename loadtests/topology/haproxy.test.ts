import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';

/** A stand-in instance: answers /readyz (so HAProxy keeps it in rotation) and counts what else it takes. */
interface Instance {
  readonly server: Server;
  readonly taken: { GET: number; POST: number; readyz: number };
}

/** `drops`: takes every request but /readyz and closes the connection unanswered, as a killed process. */
async function startInstance(drops: boolean): Promise<Instance> {
  const taken = { GET: 0, POST: 0, readyz: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/readyz') {
      taken.readyz++;
      res.end('{}');
      return;
    }
    if (req.method === 'GET' || req.method === 'POST') taken[req.method]++;
    if (drops) req.socket.destroy();
    else req.resume().on('end', () => res.end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, taken };
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = portOf(probe);
  probe.close();
  await once(probe, 'close');
  return port;
}

/** The committed configuration: what it retries decides whether a write can run twice. */
describe('HAProxy configuration of the topology (loadtests/topology/haproxy.cfg)', function () {
  this.timeout(30_000);
  let instances: Instance[];
  let haproxy: ChildProcess;
  let base: string;

  before(async () => {
    instances = [await startInstance(true), await startInstance(false), await startInstance(false)];
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    haproxy = spawn('haproxy', ['-db', '-f', path.join(__dirname, 'haproxy.cfg')], {
      stdio: 'ignore',
      env: {
        ...process.env,
        CW_BIND: '127.0.0.1',
        CW_HAPROXY_PORT: String(port),
        CW_HAPROXY_STATS_PORT: String(await freePort()),
        ...Object.fromEntries(
          instances.map((instance, index) => [
            `CW_INSTANCE_${index + 1}_PORT`,
            String(portOf(instance.server)),
          ]),
        ),
      },
    });
    // `rise 2`: an instance is in rotation once it has passed two checks.
    for (let attempt = 0; attempt < 100 && instances.some(({ taken }) => taken.readyz < 3); attempt++)
      await sleep(100);
  });
  after(async () => {
    haproxy.kill();
    for (const { server } of instances) server.close();
  });

  /** Statuses of 12 requests; 0 when the connection closed unanswered. */
  const send = async (method: 'GET' | 'POST') => {
    const statuses: number[] = [];
    for (let index = 0; index < 12; index++)
      statuses.push(
        await fetch(`${base}/v1/things`, { method, body: method === 'POST' ? '{}' : undefined }).then(
          (response) => response.status,
          () => 0,
        ),
      );
    return statuses;
  };

  it('replays a GET an instance took and dropped on another instance', async () => {
    const statuses = await send('GET');
    expect(instances[0]!.taken.GET, 'the dropping instance took some').to.be.greaterThan(0);
    expect(statuses).to.deep.equal(Array(12).fill(200));
  });

  it('never replays a POST an instance took: it may have run', async () => {
    const statuses = await send('POST');
    const dropped = instances[0]!.taken.POST;
    expect(dropped, 'the dropping instance took some').to.be.greaterThan(0);
    // Failed, not replayed: a 502, or on a kept-alive connection HAProxy closes it unanswered (status 0).
    expect(statuses.filter((status) => status !== 200)).to.have.length(dropped);
    expect(
      instances.reduce((sum, { taken }) => sum + taken.POST, 0),
      'each POST reached one instance',
    ).to.equal(12);
  });
});
