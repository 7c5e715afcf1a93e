import { gridOf, type TimeRange } from './time-range';

// What a panel answers, from either source: one time grid and one named line per series, aligned to it
// (null where a series has no point), which is what a chart library draws directly.

export interface PanelSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

export interface PanelData {
  readonly panelId: string;
  /** Where the numbers came from; `unavailable` panels carry a `notice` saying why. */
  readonly source: 'prometheus' | 'database' | 'unavailable';
  readonly step: number;
  readonly timestamps: readonly number[];
  readonly series: readonly PanelSeries[];
  readonly notice?: string;
}

export interface RawSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** [unix seconds, value] */
  readonly points: readonly (readonly [number, number])[];
}

/** Grafana's legend template (`p95 {{specialty}}`) filled from a series' labels. */
export function legendOf(template: string, labels: Readonly<Record<string, string>>): string {
  const filled = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  if (filled.trim() !== '') return filled.trim();
  const pairs = Object.entries(labels).filter(([name]) => name !== '__name__');
  return pairs.length === 0 ? 'value' : pairs.map(([name, value]) => `${name}="${value}"`).join(', ');
}

/** Puts named series on the range's grid; points off the grid are dropped. */
export function alignSeries(
  range: TimeRange,
  named: readonly { name: string; points: RawSeries['points'] }[],
): Pick<PanelData, 'timestamps' | 'series'> {
  const timestamps = gridOf(range);
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const series = named.map(({ name, points }) => {
    const values: (number | null)[] = timestamps.map(() => null);
    for (const [t, value] of points) {
      const at = index.get(t);
      if (at !== undefined && Number.isFinite(value)) values[at] = value;
    }
    return { name, values };
  });
  return { timestamps, series: series.sort((a, b) => a.name.localeCompare(b.name)) };
}
