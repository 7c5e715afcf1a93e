import uPlot from 'uplot';
import { formatValue } from './units';

// One panel: its card (title, description, unit), then a chart, a single value, or a state that says why
// there is nothing to draw.

export interface PanelDefinition {
  id: string;
  kind: 'timeseries' | 'stat';
  title: string;
  description: string;
  unit: string;
}

export interface PanelData {
  source: 'prometheus' | 'database' | 'unavailable';
  timestamps: number[];
  series: { name: string; values: (number | null)[] }[];
  notice?: string;
}

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

export function panelCard(panel: PanelDefinition): { card: HTMLElement; body: HTMLElement } {
  const card = document.createElement('section');
  card.className = 'panel';
  card.setAttribute('aria-labelledby', `title-${panel.id}`);
  const heading = document.createElement('h3');
  heading.id = `title-${panel.id}`;
  heading.textContent = panel.title;
  const description = document.createElement('p');
  description.className = 'description';
  description.textContent = panel.description;
  const body = document.createElement('div');
  body.className = 'panel-body';
  body.tabIndex = 0;
  body.setAttribute('role', 'img');
  body.setAttribute('aria-label', `${panel.title}: loading`);
  card.append(heading, description, body);
  return { card, body };
}

function state(
  body: HTMLElement,
  panel: PanelDefinition,
  text: string,
  kind: 'empty' | 'error' | 'unavailable',
) {
  body.replaceChildren();
  const message = document.createElement('p');
  message.className = `state state-${kind}`;
  message.textContent = text;
  body.append(message);
  body.setAttribute('aria-label', `${panel.title}: ${text}`);
}

export function showError(body: HTMLElement, panel: PanelDefinition, detail: string): void {
  state(body, panel, `Could not load this panel: ${detail}`, 'error');
}

function lastValue(values: (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i -= 1) if (values[i] !== null) return values[i] ?? null;
  return null;
}

export function drawPanel(body: HTMLElement, panel: PanelDefinition, data: PanelData): void {
  if (data.source === 'unavailable')
    return state(body, panel, data.notice ?? 'Needs Prometheus.', 'unavailable');
  const drawn = data.series.filter((s) => s.values.some((v) => v !== null));
  if (drawn.length === 0)
    return state(
      body,
      panel,
      'No data in this time range: nothing happened, or nothing was recorded yet.',
      'empty',
    );
  body.replaceChildren();
  const summary = drawn.map((s) => `${s.name} ${formatValue(lastValue(s.values), panel.unit)}`).join('; ');
  body.setAttribute('aria-label', `${panel.title}, latest: ${summary}`);
  if (panel.kind === 'stat') {
    for (const s of drawn) {
      const value = document.createElement('p');
      value.className = 'stat';
      value.textContent = formatValue(lastValue(s.values), panel.unit);
      const label = document.createElement('span');
      label.textContent = s.name;
      value.append(label);
      body.append(value);
    }
    return;
  }
  const width = Math.max(body.clientWidth, 280);
  // A canvas does not inherit CSS colours: take the theme's text colour now.
  const ink = getComputedStyle(body).color;
  const options: uPlot.Options = {
    width,
    height: 220,
    legend: { show: true, live: true },
    cursor: { focus: { prox: 16 } },
    scales: { x: { time: true } },
    axes: [
      { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.2)' } },
      {
        stroke: ink,
        grid: { stroke: 'rgba(128,128,128,0.2)' },
        size: 70,
        values: (_u, ticks) => ticks.map((t) => formatValue(t, panel.unit)),
      },
    ],
    series: [
      {},
      ...drawn.map((s, i) => ({
        label: s.name,
        stroke: PALETTE[i % PALETTE.length] ?? '#3b82f6',
        width: 2,
        spanGaps: false,
        // Sparse clinical events are isolated points: draw them, not only the lines between them.
        points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => formatValue(v, panel.unit),
      })),
    ],
  };
  new uPlot(options, [data.timestamps, ...drawn.map((s) => s.values)] as uPlot.AlignedData, body);
}
