import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`, then cuts what is
   * left. Resolves once the listener is closed.
   */
  drain(timeoutMs: number): Promise<void>;
}

export async function listen(app: Koa, port: number, host: string): Promise<RunningServer> {
  const server = createServer(app.callback());
  // Keep-alive must outlive a load balancer's idle timeout, or it will reuse sockets we already closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  let draining: Promise<void> | undefined;
  // Responses still being prepared, so that a drain can ask them to close their connection when done.
  const unfinished = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    if (draining) response.setHeader('Connection', 'close');
    unfinished.add(response);
    response.once('close', () => unfinished.delete(response));
  });
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    server,
    url: `http://${shownHost}:${boundPort}`,
    drain(timeoutMs) {
      draining ??= new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        // Responses sent from now on close their connection instead of keeping it alive, the ones in
        // flight included: otherwise their kept-alive sockets would hold the drain until its deadline.
        for (const response of unfinished)
          if (!response.headersSent) response.setHeader('Connection', 'close');
        server.closeIdleConnections();
      });
      return draining;
    },
  };
}
