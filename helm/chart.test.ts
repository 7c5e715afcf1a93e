import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffGeneratedOutput, REPO_ROOT } from '../alerts/src/generated-check';
import { loadConfig } from '../service/src/config';
import { newCheckpointKey, newSigningKey } from '../service/test/support/production-env';
import { startScriptArguments } from '../service/test/support/service-process';
import { CHART_DIR, CHART_FILE_DIRS } from './src/chart-files';
import {
  fileReferences,
  globPattern,
  hasPath,
  listChartFiles,
  mergeValues,
  namedTemplates,
  readTemplates,
  readYaml,
  unclosedBlocks,
  undeclaredOverrides,
  valuesPaths,
  type Values,
} from './src/chart-structure';
import { scaleOutSecretKeys, scaleOutVariables } from './src/scale-out-env';

// The helm binary is not available here (Debian does not package it), so the chart is checked
// statically: plain YAML parsed, template references resolved, values validated by the service's own
// configuration loader. `helm lint helm/carewatch` and `helm template` remain the fuller checks.

const chartDir = join(REPO_ROOT, CHART_DIR);
const templates = readTemplates(chartDir);
const defaults = readYaml(join(chartDir, 'values.yaml')) as Values;
const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
const valuesOf = (env: string) => readYaml(join(chartDir, `values-${env}.yaml`));
const merged = (env: string) => mergeValues(defaults, valuesOf(env)) as Values;

// Production secrets live outside the chart; stand-ins of the right shape take their place.
const standIns = {
  DATABASE_URL: 'postgres://carewatch@postgresql:5432/carewatch',
  REDIS_URL: 'redis://redis:6379',
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  JWT_SIGNING_KEYS: JSON.stringify([newSigningKey('prod-1')]),
  AUDIT_CHECKPOINT_KEY: newCheckpointKey(),
  DATABASE_DIRECT_URL: 'postgres://carewatch@postgresql-rw:5432/carewatch',
  DATABASE_REPLICA_URLS:
    'postgres://carewatch@postgresql-r:5432/carewatch,postgres://carewatch@postgresql-r2:5432/carewatch',
};

describe('the Helm chart', () => {
  it('describes itself in Chart.yaml, at the version of the service it deploys', () => {
    const chart = readYaml(join(chartDir, 'Chart.yaml')) as Record<string, unknown>;
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart).to.include({
      apiVersion: 'v2',
      name: 'carewatch',
      type: 'application',
      appVersion: pkg.version,
    });
    // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
    expect(chart.version).to.match(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('renders every kind of object the deployment needs', () => {
    const kinds = new Set(
      [...templates.values()].flatMap((t) => [...t.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1])),
    );
    expect([...kinds]).to.have.members([
      'Deployment',
      'Service',
      'Secret',
      'Job',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ServiceMonitor',
      'PrometheusRule',
      'ConfigMap',
      'NetworkPolicy',
    ]);
  });

  it('reads only values that values.yaml declares', () => {
    const missing = [...templates].flatMap(([file, text]) =>
      valuesPaths(text)
        .filter((path) => !hasPath(defaults, path))
        .map((path) => `${file}: .Values.${path.join('.')}`),
    );
    expect(missing).to.deep.equal([]);
  });

  it('has environment files that set only declared values', () => {
    for (const env of ENVIRONMENTS)
      expect(undeclaredOverrides(defaults, valuesOf(env)), env).to.deep.equal([]);
  });

  it('gives the service a configuration it accepts in every environment', () => {
    for (const env of ENVIRONMENTS) {
      const values = merged(env);
      const secret = values.secret as { create: boolean; keys: string[]; values: Record<string, string> };
      expect(secret.keys, env).to.include.members([
        'DATABASE_URL',
        'REDIS_URL',
        'ENCRYPTION_KEYS',
        'JWT_SIGNING_KEYS',
      ]);
      const config = {
        ...(values.config as Record<string, string>),
        ...scaleOutVariables(values),
        ...(secret.create ? secret.values : standIns),
        PORT: String(values.containerPort),
      };
      expect(() => loadConfig(config), env).not.to.throw();
      if (secret.create)
        expect(
          scaleOutSecretKeys(values).filter((key) => !(key in secret.values)),
          `${env}: the chart's own Secret lacks`,
        ).to.deep.equal([]);
    }
  });

  it('passes the replica, pooler and Sentinel values as the variables the service reads', () => {
    const helpers = templates.get('_helpers.tpl') ?? '';
    expect(scaleOutVariables(defaults)).to.deep.equal({ DATABASE_POOLER: 'none' });
    expect(scaleOutSecretKeys(defaults), 'nothing new to provide while off').to.deep.equal([]);
    const scaledOut = mergeValues(defaults, {
      database: { pooler: 'pgbouncer', readReplicas: { enabled: true } },
      redis: { sentinel: { hosts: ['redis-sentinel-0:26379', 'redis-sentinel-1:26379'] } },
    }) as Values;
    const variables = scaleOutVariables(scaledOut);
    const secretKeys = scaleOutSecretKeys(scaledOut);
    expect(secretKeys).to.have.members(['DATABASE_DIRECT_URL', 'DATABASE_REPLICA_URLS']);
    for (const name of Object.keys(variables)) expect(helpers, name).to.include(`- name: ${name}\n`);
    for (const key of secretKeys) expect(helpers, key).to.include(`"${key}"`);

    const { database, redis } = loadConfig({
      ...(defaults.config as Record<string, string>),
      ...variables,
      ...standIns,
      PORT: '3000',
    });
    expect(database.pooler).to.equal('pgbouncer');
    expect(database.directUrl).to.equal(standIns.DATABASE_DIRECT_URL);
    expect(database.replicas).to.deep.include({ stickyMs: 2000, maxLagMs: 5000 });
    expect(database.replicas.urls).to.have.length(2);
    expect(redis.sentinels).to.deep.equal([
      { host: 'redis-sentinel-0', port: 26379 },
      { host: 'redis-sentinel-1', port: 26379 },
    ]);
    expect(redis.sentinelName).to.equal('carewatch');
  });

  it('lets the pods reach PgBouncer and the Sentinels through the NetworkPolicy', () => {
    const egress = defaults.networkPolicy as { egress: { ports: { port: number }[] }[] };
    const ports = egress.egress.flatMap((rule) => rule.ports.map((p) => p.port));
    expect(ports).to.include.members([5432, 6432, 6379, 26379]);
  });

  it('keeps pods non-root on a read-only root filesystem, probed on /readyz and /healthz, everywhere', () => {
    for (const env of ENVIRONMENTS) {
      const values = merged(env);
      expect(values.podSecurityContext, env).to.include({ runAsNonRoot: true });
      expect(values.securityContext, env).to.include({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(values.probes, env).to.nested.include({
        'readiness.path': '/readyz',
        'liveness.path': '/healthz',
      });
    }
  });

  it('runs the image as the user the pod security context names', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const { runAsUser, runAsGroup } = defaults.podSecurityContext as Record<string, number>;
    expect(dockerfile).to.match(new RegExp(`^USER ${runAsUser}:${runAsGroup}$`, 'm'));
  });

  it('starts the compiled entry points the build produces', () => {
    const commands = [...templates.values()].flatMap((t) =>
      [...t.matchAll(/"(dist\/[\w/.-]+)\.js"/g)].map((m) => m[1] ?? ''),
    );
    expect(commands).to.have.members(['dist/service/src/main', 'dist/db/migrate']);
    for (const compiled of commands)
      expect(existsSync(join(REPO_ROOT, `${compiled.slice('dist/'.length)}.ts`))).to.equal(true);
    expect(templates.get('migrations-job.yaml')).to.match(/helm\.sh\/hook: pre-install,pre-upgrade/);
  });

  it('starts the service as the image and npm start do, with the tracing patches loaded first', () => {
    // Without --import the service logs that tracing is enabled but not loaded, and nothing is traced.
    const commandOf = (text: string | undefined, pattern: RegExp) =>
      JSON.parse(pattern.exec(text ?? '')?.[1] ?? 'null') as string[] | null;
    const chart = commandOf(templates.get('deployment.yaml'), /^\s*command: (\[.*\])$/m);
    const image = commandOf(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'), /^CMD (\[.*\])$/m);
    expect(chart).to.deep.equal(image);
    // The benchmarks start the built service with npm start's arguments: they measure what runs here.
    expect(chart).to.deep.equal(['node', ...startScriptArguments(REPO_ROOT)]);
    const preload = chart?.[chart.indexOf('--import') + 1] ?? '';
    expect(preload).to.equal('./dist/service/src/instrumentation.js');
    expect(existsSync(join(REPO_ROOT, 'service/src/instrumentation.ts'))).to.equal(true);
    expect(chart?.at(-1)).to.equal('dist/service/src/main.js');
  });

  it('defines every named template it includes, and includes every one it defines', () => {
    const { used, defined } = namedTemplates(templates);
    expect([...used].sort()).to.deep.equal([...defined].sort());
  });

  it('closes every block it opens', () => {
    for (const [file, text] of templates) expect(unclosedBlocks(text), file).to.equal(0);
  });

  it('reads only files that are in the chart', () => {
    const files = listChartFiles(chartDir);
    for (const [file, text] of templates)
      for (const glob of fileReferences(text))
        expect(
          files.filter((f) => globPattern(glob).test(f)),
          `${file}: ${glob}`,
        ).not.to.be.empty;
  });

  it('carries the rule files and dashboards as built (run `npm run build:helm` after changing them)', () => {
    expect(diffGeneratedOutput('helm/build.ts', CHART_FILE_DIRS)).to.deep.equal([]);
  });
});
