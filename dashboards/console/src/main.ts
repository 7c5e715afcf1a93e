import 'uplot/dist/uPlot.min.css';
import '../styles.css';
import { drawPanel, panelCard, showError, type PanelData, type PanelDefinition } from './panel-view';
import { ProblemError, Session } from './session';

// The operations console: sign in (password, then TOTP), an alert strip, and one page per dashboard.

interface Dashboard {
  id: string;
  title: string;
  description: string;
  rows: { title: string; panels: PanelDefinition[] }[];
}
interface Catalog {
  source: 'prometheus' | 'database';
  idleTimeoutSeconds: number;
  dashboards: Dashboard[];
}
interface Alert {
  name: string;
  severity: string;
  patientSafety: boolean;
  since: string | null;
  summary: string;
  runbookUrl: string | null;
  silenced: boolean;
  scope: string | null;
}
interface AlertStrip {
  source: string;
  notice?: string;
  alerts: Alert[];
}

const RANGES: [string, number][] = [
  ['Last hour', 3600],
  ['Last 6 hours', 6 * 3600],
  ['Last 24 hours', 86400],
  ['Last 7 days', 7 * 86400],
  ['Last 30 days', 30 * 86400],
];
const REFRESH: [string, number][] = [
  ['Off', 0],
  ['30 s', 30],
  ['1 min', 60],
  ['5 min', 300],
];

const session = new Session();
const root = document.getElementById('app') as HTMLElement;
let catalog: Catalog | undefined;
let rangeSeconds = 6 * 3600;
let refreshSeconds = 60;
let refreshTimer: number | undefined;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

function field(label: string, input: HTMLInputElement): HTMLElement {
  input.id = `field-${input.name}`;
  return el('p', {}, el('label', { htmlFor: input.id }, label), input);
}

/** A sign-in step: a titled form whose submit runs `submit`; a refusal shows its sentence. */
function formPage(
  title: string,
  message: string,
  fields: [string, HTMLInputElement][],
  action: string,
  submit: () => Promise<void>,
): void {
  const error = el('p', { className: 'error', role: 'alert' }, message);
  const form = el(
    'form',
    { className: 'signin' },
    el('h1', {}, title),
    error,
    ...fields.map(([label, input]) => field(label, input)),
    el('button', { type: 'submit' }, action),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit().catch((problem: unknown) => {
      error.textContent = problem instanceof Error ? problem.message : `${action} failed.`;
    });
  });
  root.replaceChildren(el('main', { id: 'main' }, form));
  fields[0]?.[1].focus();
}

function signInPage(message = ''): void {
  window.clearInterval(refreshTimer);
  const email = el('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = el('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const fields: [string, HTMLInputElement][] = [
    ['Email', email],
    ['Password', password],
  ];
  formPage('Carewatch operations', message, fields, 'Sign in', async () => {
    const { mfaToken } = await session.login(email.value, password.value);
    if (mfaToken) mfaPage(mfaToken);
    else await start();
  });
}

function mfaPage(mfaToken: string): void {
  const code = el('input', {
    name: 'code',
    inputMode: 'numeric',
    autocomplete: 'one-time-code',
    required: true,
    pattern: '[0-9]{6}',
  });
  formPage('Second factor', '', [['Code from your authenticator app', code]], 'Verify', async () => {
    await session.verify(mfaToken, code.value);
    await start();
  });
}

function select(
  label: string,
  options: [string, number][],
  value: number,
  onChange: (v: number) => void,
): HTMLElement {
  const input = el('select', { id: `select-${label.replace(/\W+/g, '-').toLowerCase()}` });
  for (const [text, seconds] of options)
    input.append(el('option', { value: String(seconds), selected: seconds === value }, text));
  input.addEventListener('change', () => onChange(Number(input.value)));
  return el('span', { className: 'control' }, el('label', { htmlFor: input.id }, label), input);
}

/** When an alert started firing: the clock time (machine-readable too) and how long ago. */
function since(iso: string | null): (Node | string)[] {
  if (!iso) return [];
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  const ago = minutes < 60 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  const clock = new Date(iso).toLocaleString([], {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return [' since ', el('time', { dateTime: iso }, clock), ` (${ago})`];
}

function alertCount(alerts: Alert[]): string {
  if (alerts.length === 0) return 'No alerts firing';
  const silenced = alerts.filter((alert) => alert.silenced).length;
  return `${alerts.length} alert(s) firing${silenced > 0 ? `, ${silenced} silenced` : ''}`;
}

async function renderAlerts(strip: HTMLElement): Promise<void> {
  try {
    const answer = await session.get<AlertStrip>('/v1/ops/alerts');
    const items = answer.alerts.map((alert) => {
      const runbook = alert.runbookUrl ? el('a', { href: alert.runbookUrl, rel: 'noopener' }, 'Runbook') : '';
      return el(
        'li',
        { className: `alert severity-${alert.severity}${alert.patientSafety ? ' patient-safety' : ''}` },
        el('strong', {}, `${alert.patientSafety ? 'Patient safety · ' : ''}${alert.severity}`),
        ` ${alert.name}${alert.scope ? ` (${alert.scope})` : ''}`,
        ...since(alert.since),
        ...(alert.silenced ? [' · ', el('span', { className: 'silenced' }, 'silenced')] : []),
        ` — ${alert.summary} `,
        runbook,
      );
    });
    strip.replaceChildren(
      el('h2', {}, alertCount(answer.alerts)),
      ...(answer.notice ? [el('p', { className: 'notice' }, answer.notice)] : []),
      el('ul', {}, ...items),
    );
  } catch (problem) {
    strip.replaceChildren(
      el(
        'p',
        { className: 'error' },
        `Alerts unavailable: ${problem instanceof Error ? problem.message : ''}`,
      ),
    );
  }
}

async function renderDashboard(page: HTMLElement, dashboard: Dashboard): Promise<void> {
  const to = Math.floor(Date.now() / 1000);
  const from = to - rangeSeconds;
  // Timed for the console benchmark (npm run bench:console), which reads these measures.
  const opened = performance.now();
  let firstDrawn = false;
  delete page.dataset.loaded;
  page.replaceChildren(
    el('h1', {}, dashboard.title),
    el('p', { className: 'description' }, dashboard.description),
  );
  const loads: Promise<void>[] = [];
  for (const row of dashboard.rows) {
    const grid = el('div', { className: 'grid' });
    page.append(el('h2', {}, row.title), grid);
    for (const panel of row.panels) {
      const { card, body } = panelCard(panel);
      grid.append(card);
      loads.push(
        session
          .get<PanelData>(`/v1/ops/panels/${panel.id}/data?from=${from}&to=${to}`)
          .then((data) => {
            drawPanel(body, panel, data);
            if (!firstDrawn) performance.measure(`first panel: ${dashboard.id}`, { start: opened });
            firstDrawn = true;
          })
          .catch((problem: unknown) =>
            showError(body, panel, problem instanceof ProblemError ? problem.message : 'network error'),
          ),
      );
    }
  }
  await Promise.all(loads);
  performance.measure(`all panels: ${dashboard.id}`, { start: opened });
  page.dataset.loaded = 'true';
}

function currentDashboard(): Dashboard | undefined {
  const id = window.location.hash.replace(/^#\/?/, '') || 'healthcare-operations';
  return catalog?.dashboards.find((d) => d.id === id) ?? catalog?.dashboards[0];
}

function renderShell(): void {
  if (!catalog) return;
  const active = currentDashboard();
  const nav = el('nav', { ariaLabel: 'Dashboards' });
  for (const d of catalog.dashboards) {
    const link = el('a', { href: `#/${d.id}` }, d.title);
    if (d === active) link.setAttribute('aria-current', 'page');
    nav.append(link);
  }
  const theme = el('button', { type: 'button', className: 'theme' }, 'Switch theme');
  theme.addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme !== 'dark';
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  });
  const signOut = el('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => void session.signOut());
  const strip = el('section', { className: 'alerts', ariaLabel: 'Firing alerts' });
  const page = el('main', { id: 'main', tabIndex: -1 });
  const rerender = () => renderShell();
  const header = el(
    'header',
    {},
    nav,
    el(
      'div',
      { className: 'controls' },
      select('Time range', RANGES, rangeSeconds, (v) => ((rangeSeconds = v), rerender())),
      select('Auto-refresh', REFRESH, refreshSeconds, (v) => ((refreshSeconds = v), rerender())),
      theme,
      signOut,
    ),
  );
  const source = el(
    'p',
    { className: 'notice' },
    catalog.source === 'database'
      ? 'Clinical panels come from the service database; platform panels need Prometheus (PROMETHEUS_URL).'
      : 'Panels come from Prometheus.',
  );
  root.replaceChildren(header, strip, source, page);
  const refresh = () => {
    void renderAlerts(strip);
    if (active) void renderDashboard(page, active);
  };
  refresh();
  window.clearInterval(refreshTimer);
  if (refreshSeconds > 0) refreshTimer = window.setInterval(refresh, refreshSeconds * 1000);
}

async function start(): Promise<void> {
  try {
    catalog = await session.get<Catalog>('/v1/ops/dashboards');
    session.setIdleTimeout(catalog.idleTimeoutSeconds);
    renderShell();
  } catch (problem) {
    const reason =
      problem instanceof ProblemError && problem.status === 403
        ? 'This account may not use the console (operators and admins with MFA only).'
        : 'The console could not load.';
    await session.signOut(reason);
  }
}

session.onSignedOut = (reason) => signInPage(reason);
window.addEventListener('hashchange', () => renderShell());
for (const activity of ['pointerdown', 'keydown']) window.addEventListener(activity, () => session.touch());
if (window.matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.dataset.theme = 'dark';
signInPage();
