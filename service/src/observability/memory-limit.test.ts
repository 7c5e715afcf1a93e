import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { readMemoryLimit } from './memory-limit';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** A machine size the tests pass in, so the result does not depend on the machine they run on. */
const SYSTEM = 8 * GiB;

describe('readMemoryLimit', () => {
  let dir: string;
  let v2: string;
  let v1: string;
  const files = () => [v2, v1];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carewatch-cgroup-'));
    v2 = join(dir, 'memory.max');
    v1 = join(dir, 'memory.limit_in_bytes');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a cgroup v2 limit', () => {
    writeFileSync(v2, '536870912\n');
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(512 * MiB);
  });

  it('falls back to system memory when cgroup v2 says max', () => {
    writeFileSync(v2, 'max\n');
    writeFileSync(v1, '536870912\n');
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(SYSTEM);
  });

  it('reads a cgroup v1 limit when there is no v2 file', () => {
    writeFileSync(v1, '1073741824\n');
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(GiB);
  });

  it("treats cgroup v1's unlimited (a page-rounded 2^63) as no limit", () => {
    writeFileSync(v1, '9223372036854771712\n');
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(SYSTEM);
  });

  it('caps a cgroup limit above the machine at system memory', () => {
    writeFileSync(v2, `${16 * GiB}\n`);
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(SYSTEM);
  });

  it('uses system memory when no cgroup file exists', () => {
    expect(readMemoryLimit(files(), SYSTEM)).to.equal(SYSTEM);
  });

  it('refuses a file it cannot parse instead of guessing a limit', () => {
    writeFileSync(v2, '512M\n');
    expect(() => readMemoryLimit(files(), SYSTEM)).to.throw(/unexpected memory limit in .*memory\.max/);
  });

  it('reads a limit no larger than this machine from the real cgroup files', () => {
    expect(readMemoryLimit()).to.be.greaterThan(0).and.at.most(totalmem());
  });
});
