import { expect } from 'chai';
import { diffGeneratedOutput } from './src/generated-check';

describe('alerts build output', () => {
  it('is what is committed (run `npm run build:alerts` after changing alerts/src)', () => {
    expect(diffGeneratedOutput('alerts/build.ts', ['alerts/dist', 'alerts/tests'])).to.deep.equal([]);
  });
});
