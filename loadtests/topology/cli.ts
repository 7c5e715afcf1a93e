import { down, up } from './parts';
import { topologyStatus } from './status';

const USAGE = 'usage: npm run topology -- up | down | status';

async function main(command: string | undefined): Promise<void> {
  const log = (line: string) => console.log(`topology: ${line}`);
  if (command === 'up') await up(log);
  else if (command === 'down') await down(log);
  else if (command === 'status') {
    const parts = await topologyStatus();
    for (const { part, port, healthy, detail } of parts)
      console.log(`${healthy ? 'ok  ' : 'DOWN'}  ${part.padEnd(20)} ${String(port).padEnd(6)} ${detail}`);
    if (parts.some((part) => !part.healthy)) process.exitCode = 1;
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
