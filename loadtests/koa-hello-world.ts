/**
 * Koa's ceiling on this machine: the smallest Koa 3 app, run as its own process by bench:hot so that the
 * routes of the service are measured against it in the same minute. Prints the same "listening on" line
 * as the service.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = 'Hello World';
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close());
