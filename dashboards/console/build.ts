// Bundles the console (dashboards/console/src) into dist/console: app.js and app.css, next to index.html.
// Run by `npm run build`; the service serves the files at /ops. Usage: tsx dashboards/console/build.ts
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const CONSOLE_DIST = join(__dirname, '..', '..', 'dist', 'console');

export async function buildConsole(outdir = CONSOLE_DIST): Promise<void> {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(__dirname, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: 'es2022',
    outdir,
    logLevel: 'warning',
  });
  copyFileSync(join(__dirname, 'index.html'), join(outdir, 'index.html'));
}

if (require.main === module) {
  buildConsole().then(
    () => console.log(`console: bundled into ${CONSOLE_DIST}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
