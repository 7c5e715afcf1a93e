// Grafana unit ids, formatted the way the Grafana panels show them.

const compact = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

function duration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 1) return `${compact.format(seconds * 1000)} ms`;
  if (abs < 120) return `${compact.format(seconds)} s`;
  if (abs < 7200) return `${compact.format(seconds / 60)} min`;
  if (abs < 172800) return `${compact.format(seconds / 3600)} h`;
  return `${compact.format(seconds / 86400)} d`;
}

function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let i = 0;
  while (Math.abs(scaled) >= 1024 && i < units.length - 1) {
    scaled /= 1024;
    i += 1;
  }
  return `${compact.format(scaled)} ${units[i]}`;
}

export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 's':
      return duration(value);
    case 'ms':
      return duration(value / 1000);
    case 'percentunit':
      return `${compact.format(value * 100)} %`;
    case 'percent':
      return `${compact.format(value)} %`;
    case 'bytes':
      return bytes(value);
    case 'opm':
      return `${compact.format(value)}/min`;
    case 'ops':
    case 'reqps':
      return `${compact.format(value)}/s`;
    default:
      return compact.format(value);
  }
}
