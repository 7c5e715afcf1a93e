import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// Static checks of a Helm chart for machines without the helm binary: nothing is rendered, but the YAML
// that is plain YAML is parsed, and what templates reference is checked against what exists.

export type Values = { [key: string]: unknown };

const isMap = (value: unknown): value is Values =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8')) as unknown;
}

export function readTemplates(chartDir: string): Map<string, string> {
  const dir = join(chartDir, 'templates');
  return new Map(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

/** `.Values.a.b` and `$.Values.a.b` paths, as ['a', 'b']. */
export function valuesPaths(template: string): string[][] {
  // eslint-disable-next-line security/detect-unsafe-regex -- reviewed: every repetition consumes distinct characters, so matching stays linear
  return [...template.matchAll(/\.Values((?:\.\w+)+)/g)].map(([, path = '']) => path.slice(1).split('.'));
}

/** True when `path` names a key of `values` (descending through maps only). */
export function hasPath(values: unknown, path: readonly string[]): boolean {
  let node = values;
  for (const key of path) {
    if (!isMap(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/**
 * Keys an override file sets that the defaults do not declare. An empty map in the defaults
 * (`podAnnotations: {}`) is open: any key may go under it. Lists and scalars are replaced whole.
 */
export function undeclaredOverrides(defaults: unknown, overrides: unknown, prefix = ''): string[] {
  if (!isMap(overrides) || !isMap(defaults) || Object.keys(defaults).length === 0) return [];
  return Object.entries(overrides).flatMap(([key, value]) =>
    key in defaults ? undeclaredOverrides(defaults[key], value, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** Helm's merge of a values file over the defaults: maps merge key by key, anything else replaces. */
export function mergeValues(defaults: unknown, overrides: unknown): unknown {
  if (!isMap(defaults) || !isMap(overrides)) return overrides === undefined ? defaults : overrides;
  const merged: Values = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(defaults[key], value);
  return merged;
}

/** Named templates used with include/template, and those defined. */
export function namedTemplates(templates: ReadonlyMap<string, string>): {
  used: Set<string>;
  defined: Set<string>;
} {
  const all = [...templates.values()].join('\n');
  const names = (pattern: RegExp) => new Set([...all.matchAll(pattern)].map(([, name = '']) => name));
  return {
    used: names(/\b(?:include|template)\s+"([^"]+)"/g),
    defined: names(/\{\{-?\s*define\s+"([^"]+)"/g),
  };
}

/** Opened blocks (if, range, with, define) minus `end`s: 0 for a template whose blocks all close. */
export function unclosedBlocks(template: string): number {
  const count = (pattern: RegExp) => [...template.matchAll(pattern)].length;
  return count(/\{\{-?\s*(?:if|range|with|define)\b/g) - count(/\{\{-?\s*end\s*-?\}\}/g);
}

/** The glob or path strings given to .Files.Get and .Files.Glob. */
export function fileReferences(template: string): string[] {
  return [...template.matchAll(/\.Files\.(?:Get|Glob)\s+"([^"]+)"/g)].map(([, pattern = '']) => pattern);
}

/** `files/alerts/*.rules.yml` as a RegExp over paths relative to the chart (only `*` is a wildcard). */
export function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}$`);
}

export function listChartFiles(chartDir: string, sub = ''): string[] {
  return readdirSync(join(chartDir, sub), { withFileTypes: true }).flatMap((entry) => {
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listChartFiles(chartDir, path) : [path];
  });
}
