import { createServer, type Server } from 'node:http';
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
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let draining: Promise<void> | undefined;

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
        // Responses sent from now on close their connection instead of keeping it alive.
        server.on('request', (_request, response) => response.setHeader('Connection', 'close'));
        server.closeIdleConnections();
      });
      return draining;
    },
  };
}
