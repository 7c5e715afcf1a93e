import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { OPENAPI_PATH } from './api-document';
import { loadConfig } from './config';
import { createLogger } from './observability/logger';
import { createRuntime } from './runtime';

/**
 * Writes the OpenAPI document the service serves to a file (`npm run lint` checks it with Spectral):
 * the app is built as in production, listens on a free port of 127.0.0.1, and its own
 * `GET /openapi.json` is saved. Nothing is connected: building routes opens no database or cache.
 */
async function main(output: string): Promise<void> {
  const config = loadConfig(process.env);
  const runtime = createRuntime(
    config,
    config.database.url ?? 'postgres://127.0.0.1/unused',
    createLogger({ level: 'error' }),
  );
  const server = runtime.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${OPENAPI_PATH}`);
    if (!response.ok) throw new Error(`${OPENAPI_PATH} answered ${response.status}`);
    // The output path is this build command's own argument, never request input.
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- see above
    mkdirSync(dirname(output), { recursive: true });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- see above
    writeFileSync(output, `${JSON.stringify(await response.json(), null, 2)}\n`);
  } finally {
    server.close();
    await runtime.close();
  }
}

const [output] = process.argv.slice(2);
if (!output) {
  console.error('usage: tsx service/src/api-document-cli.ts <output.json>');
  process.exit(2);
}
main(output).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
