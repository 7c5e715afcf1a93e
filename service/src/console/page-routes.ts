import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineRoute, mountRoutes } from '../routing/route';
import { serviceUnavailable } from '../platform/errors';
import { documentHeaders } from '../platform/security-headers';

// The console's page and its bundle (built by `npm run build` into dist/console). Public: the page holds
// no data, it signs in through the auth API. The policy allows only this origin's script and style, so no
// inline script or style can run even if something were injected.

const ASSETS_DIR = join(process.cwd(), 'dist', 'console');
const consoleHeaders = documentHeaders({
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  baseUri: ["'none'"],
  formAction: ["'self'"],
});

const ASSETS = [
  { path: '/ops', file: 'index.html', type: 'text/html; charset=utf-8', summary: 'The operations console' },
  {
    path: '/ops/app.js',
    file: 'app.js',
    type: 'text/javascript; charset=utf-8',
    summary: "The console's script",
  },
  { path: '/ops/app.css', file: 'app.css', type: 'text/css; charset=utf-8', summary: "The console's styles" },
] as const;

export function consolePageRoutes() {
  const cache = new Map<string, Buffer>();
  const load = async (file: string): Promise<Buffer> => {
    const cached = cache.get(file);
    if (cached) return cached;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- file is one of the fixed ASSETS names, never request input
      const content = await readFile(join(ASSETS_DIR, file));
      cache.set(file, content);
      return content;
    } catch (error) {
      throw serviceUnavailable('The console is not built: run `npm run build`.', 'console_not_built', error);
    }
  };
  return mountRoutes(
    ASSETS.map(({ path, file, type, summary }) =>
      defineRoute({
        method: 'get',
        path,
        summary,
        tags: ['console'],
        guards: 'public',
        server: '/',
        responses: { 200: { description: summary } },
        problems: [503],
        handler: async (ctx) => {
          const content = await load(file);
          consoleHeaders(ctx);
          ctx.set('Cache-Control', file === 'index.html' ? 'no-cache' : 'public, max-age=300');
          ctx.type = type;
          ctx.body = content;
        },
      }),
    ),
  );
}
