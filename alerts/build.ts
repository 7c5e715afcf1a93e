// Builds alerts/dist/*.rules.yml, alerts/dist/alertmanager.yml and alerts/tests/*.test.yml.
// Usage: tsx alerts/build.ts [--out <root>]
import { outputRoot, writeOutputs } from './src/write-outputs';
import { alertOutputs } from './src/outputs';

const root = outputRoot(process.argv);
const files = alertOutputs();
writeOutputs(root, files);
console.log(`alerts: wrote ${files.size} files under ${root}`);
