import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { TimelinePoint } from './artillery-results';
import type { ServiceView } from './service-view';

const WIDTH = 1200;
const HEIGHT = 1000;

const MB = 2 ** 20;

/**
 * Throughput (top), latency (middle) and the service's memory (bottom) over the run, as the generator saw them and as the service's own
 * metrics in Prometheus saw them: drawn by ECharts' server-side SVG renderer, rasterised by resvg, so no
 * browser is needed.
 */
export async function writeChart(
  path: string,
  title: string,
  timeline: readonly TimelinePoint[],
  service: ServiceView | undefined,
): Promise<void> {
  const start = timeline[0]?.at ?? 0;
  const minutes = (at: number) => Number(((at - start) / 60_000).toFixed(2));
  // Prometheus stamps a 30 s rate at its end; drawn at its middle it lines up with artillery's periods.
  const serviceMinutes = (at: number) => minutes(at - 15_000);
  const line = (name: string, data: [number, number | undefined][], axis = 0, grid = 0) => ({
    name,
    type: 'line' as const,
    showSymbol: false,
    xAxisIndex: grid,
    yAxisIndex: axis,
    data: data.filter(([, value]) => value !== undefined),
  });
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 'center', textStyle: { fontSize: 16 } },
    legend: { top: 30, width: WIDTH - 80 },
    grid: [
      { top: 100, height: 240, left: 70, right: 90 },
      { top: 420, height: 240, left: 70, right: 90 },
      { top: 720, height: 220, left: 70, right: 90 },
    ],
    xAxis: [
      { gridIndex: 0, type: 'value', name: 'minutes', min: 0 },
      { gridIndex: 1, type: 'value', name: 'minutes', min: 0 },
      { gridIndex: 2, type: 'value', name: 'minutes', min: 0 },
    ],
    yAxis: [
      { gridIndex: 0, type: 'value', name: 'requests/s' },
      { gridIndex: 0, type: 'value', name: 'concurrent users', splitLine: { show: false } },
      { gridIndex: 1, type: 'value', name: 'latency (ms)' },
      { gridIndex: 2, type: 'value', name: 'MB, largest instance' },
    ],
    series: [
      line(
        'req/s (artillery)',
        timeline.map((p) => [minutes(p.at), p.requestRate]),
      ),
      line('req/s (service, Prometheus)', service?.timeline.map((p) => [serviceMinutes(p.at), p.rate]) ?? []),
      line(
        'concurrent users',
        timeline.map((p) => [minutes(p.at), p.concurrentUsers]),
        1,
      ),
      line(
        'p50 (artillery)',
        timeline.map((p) => [minutes(p.at), p.p50]),
        2,
        1,
      ),
      line(
        'p95 (artillery)',
        timeline.map((p) => [minutes(p.at), p.p95]),
        2,
        1,
      ),
      line(
        'p99 (artillery)',
        timeline.map((p) => [minutes(p.at), p.p99]),
        2,
        1,
      ),
      line(
        'p99 (service, Prometheus)',
        service?.timeline.map((p) => [
          serviceMinutes(p.at),
          p.p99Seconds === undefined ? undefined : p.p99Seconds * 1000,
        ]) ?? [],
        2,
        1,
      ),
      line(
        'resident set (service)',
        service?.memory.map((p) => [minutes(p.at), p.rssBytes === undefined ? undefined : p.rssBytes / MB]) ??
          [],
        3,
        2,
      ),
      line(
        'V8 heap used (service)',
        service?.memory.map((p) => [
          minutes(p.at),
          p.heapUsedBytes === undefined ? undefined : p.heapUsedBytes / MB,
        ]) ?? [],
        3,
        2,
      ),
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: WIDTH },
    font: { loadSystemFonts: true },
  }).render();
  await writeFile(path, png.asPng());
}
