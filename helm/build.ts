// Copies alerts/dist/*.rules.yml and dashboards/dist/*.json into the chart. Usage: tsx helm/build.ts [--out <root>]
import { outputRoot, writeOutputs } from '../alerts/src/write-outputs';
import { chartFileOutputs } from './src/chart-files';

const root = outputRoot(process.argv);
const files = chartFileOutputs();
writeOutputs(root, files);
console.log(`helm: copied ${files.size} files under ${root}`);
