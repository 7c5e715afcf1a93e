// Builds dashboards/dist/*.json from dashboards/src. Usage: tsx dashboards/build.ts [--out <root>]
import { outputRoot, writeOutputs } from '../alerts/src/write-outputs';
import { dashboardOutputs } from './src/outputs';

const root = outputRoot(process.argv);
const files = dashboardOutputs();
writeOutputs(root, files);
console.log(`dashboards: wrote ${files.size} files under ${root}`);
