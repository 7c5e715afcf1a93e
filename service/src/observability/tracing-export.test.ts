import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createTestDatabase } from '../../test/support/environment';
import { startService } from '../../test/support/service-process';

interface ExportedSpans {
  readonly resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
}

/** An OTLP/HTTP (JSON) receiver that keeps the span names of each export it is sent. */
async function startReceiver(): Promise<{ server: Server; url: string; exports: string[][] }> {
  const exports: string[][] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as ExportedSpans;
      exports.push(
        body.resourceSpans.flatMap((resource) =>
          resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
        ),
      );
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

describe('span export (the service process, to an OTLP/HTTP receiver)', function () {
  this.timeout(60_000);

  it('sends spans in exports of at most OTEL_BSP_MAX_EXPORT_BATCH_SIZE, and every span by the time it stops', async () => {
    const receiver = await startReceiver();
    try {
      const service = await startService({
        DATABASE_URL: await createTestDatabase('span_export'),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        TRACING_SAMPLE_RATIO: '1',
      });
      const requests = 200;
      // Faster than the 5-second export schedule: the buffer fills and is sent in full batches.
      for (let sent = 0; sent < requests; sent += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${service.port}/healthz`)),
        );
        expect(answers.map((answer) => answer.status)).to.deep.equal(Array(20).fill(200));
      }
      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      expect((await exited)[0], service.output()).to.equal(0);

      const sizes = receiver.exports.map((spans) => spans.length);
      expect(Math.max(...sizes), `export sizes ${sizes.join(', ')}`).to.equal(64);
      const served = receiver.exports.flat().filter((name) => name === 'GET /healthz');
      expect(served).to.have.length(requests);
    } finally {
      receiver.server.close();
    }
  });
});
