import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/**
 * Where the kernel publishes the container's memory limit, in order: cgroup v2, then v1. Inside a
 * container /sys/fs/cgroup is the container's own cgroup, so these are the limit of the Helm chart's
 * `resources.limits.memory`. A host has neither (the root cgroup has no limit file).
 */
export const CGROUP_MEMORY_LIMIT_FILES: readonly string[] = [
  '/sys/fs/cgroup/memory.max',
  '/sys/fs/cgroup/memory/memory.limit_in_bytes',
];

/** The limit a cgroup file states: "max" (v2) means none. */
function parseCgroupLimit(path: string, content: string): number {
  const text = content.trim();
  if (text === 'max') return Infinity;
  // A wrong number would silently move the memory alert's threshold, so anything else is refused.
  if (!/^\d+$/.test(text)) throw new Error(`unexpected memory limit in ${path}`);
  return Number(text);
}

function readCgroupLimit(files: readonly string[]): number {
  for (const path of files) {
    let content: string;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is given by the operator or the deployment, never by a request
      content = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    return parseCgroupLimit(path, content);
  }
  return Infinity;
}

/**
 * The memory, in bytes, this process may use before the kernel OOM-kills it. Read once at startup: a container's
 * limit does not change while it runs (a new limit means a new pod).
 *
 * Without a cgroup limit ("max", or v1's "unlimited", a page-rounded 2^63), and whenever the cgroup
 * states more than the machine has, the ceiling is total system memory: that is where the OOM killer
 * acts. The V8 heap limit would be the wrong fallback: the alert compares resident memory, which also
 * holds buffers, native and code memory outside the heap, and running out of heap is a different
 * failure (a JavaScript exception, not a kill) that nodejs_heap_size_used_bytes already shows.
 */
export function readMemoryLimit(
  files: readonly string[] = CGROUP_MEMORY_LIMIT_FILES,
  systemBytes: number = totalmem(),
): number {
  return Math.min(readCgroupLimit(files), systemBytes);
}
