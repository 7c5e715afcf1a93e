import { expect } from 'chai';
import { decodeCursor, encodeCursor, PageQuery, toPage } from './keyset-page';

describe('keyset pages', () => {
  it('round-trips a cursor and refuses one it did not issue with 422', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const id = '0b7d7f0e-4b8a-4c1e-9d3a-6a1f2b3c4d5e';
    expect(decodeCursor(encodeCursor(at, id))).to.deep.equal({ at, id });
    for (const bad of [
      '',
      'not-base64!',
      Buffer.from('["yesterday","x"]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad), bad)
        .to.throw()
        .with.property('status', 422);
    }
  });

  it('takes 1 to 100 rows a page, 20 by default, and no unknown parameters', () => {
    expect(PageQuery.parse({})).to.deep.equal({ limit: 20 });
    expect(PageQuery.parse({ limit: '100' }).limit).to.equal(100);
    for (const query of [{ limit: '0' }, { limit: '101' }, { limit: '2.5' }, { offset: '10' }]) {
      expect(PageQuery.safeParse(query).success, JSON.stringify(query)).to.equal(false);
    }
  });

  it('offers a next cursor only when the extra row shows another page exists', () => {
    const rows = [1, 2, 3].map((n) => ({
      at: new Date(n * 1000),
      id: `0b7d7f0e-4b8a-4c1e-9d3a-6a1f2b3c4d5${n}`,
    }));
    const key = (row: (typeof rows)[number]) => row;
    const full = toPage(rows, 2, key);
    expect(full.items).to.have.length(2);
    expect(decodeCursor(full.nextCursor!)).to.deep.equal(rows[1]);
    expect(toPage(rows.slice(0, 2), 2, key).nextCursor).to.equal(null);
  });
});
