import { expect } from 'chai';
import { diffGeneratedOutput } from '../alerts/src/generated-check';

describe('dashboards build output', () => {
  it('is what is committed (run `npm run build:dashboards` after changing dashboards/src)', () => {
    expect(
      diffGeneratedOutput('dashboards/build.ts', ['dashboards/dist', 'dashboards/catalog']),
    ).to.deep.equal([]);
  });
});
