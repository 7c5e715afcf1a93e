import { expect } from 'chai';
import type { TimelinePoint } from './artillery-results';
import { byRoute } from './artillery-results';
import { driftSlices } from './drift';
import { findKnee, findThresholdBreak } from './knee';
import { describePhases, parseLoadOptions } from './options';

const START = Date.UTC(2026, 10, 30, 9, 0, 0);
const period = (index: number, p99: number, failed = 0): TimelinePoint => ({
  at: START + index * 10_000,
  requestRate: 10 * (index + 1),
  p50: p99 / 4,
  p95: p99 / 2,
  p99,
  failed,
  concurrentUsers: 20 * (index + 1),
  arrivals: 100,
});

describe('npm run load: options and report parts', () => {
  it('--phases replaces the profile phases and names them; malformed phases are refused', () => {
    const phases =
      '[{"name":"day","duration":300,"arrivalRate":5,"rampTo":50},{"duration":60,"arrivalRate":50}]';
    const options = parseLoadOptions(['day', '--phases', phases]);
    expect(options.phases).to.deep.equal(JSON.parse(phases));
    expect(describePhases(options.phases!)).to.equal('300 s 5→50/s, 60 s 50/s');
    expect(parseLoadOptions(['day']).phases).to.equal(undefined);
    for (const bad of [
      '[]',
      '{"duration":60,"arrivalRate":5}',
      '[{"duration":60}]',
      '[{"duration":-1,"arrivalRate":5}]',
    ])
      expect(() => parseLoadOptions(['day', '--phases', bad]), bad).to.throw('--phases');
  });

  it('groups failed checks by route: ids as :id, no query string', () => {
    expect(
      byRoute({
        'Failed expectations for request http://h/v1/consultations/3783face-6b75-401f-9f2c-0f4856d9331a/start': 1,
        'Failed expectations for request http://h/v1/consultations/1b4f55ff-3b76-4cac-abd5-9cb72a40ebaa/start': 2,
        'Failed expectations for request http://h/v1/patients/me/prescriptions?limit=20': 4,
        ETIMEDOUT: 5,
      }),
    ).to.deep.equal({
      'Failed expectations for request http://h/v1/consultations/:id/start': 3,
      'Failed expectations for request http://h/v1/patients/me/prescriptions': 4,
      ETIMEDOUT: 5,
    });
  });

  it('cuts the run into slices with their worst p99 and the memory at their end', () => {
    const timeline = [100, 120, 900, 150, 130, 3000].map((p99, index) => period(index, p99));
    const memory = timeline.map((point, index) => ({
      at: point.at + 5_000,
      rssBytes: (300 + index) * 2 ** 20,
      heapUsedBytes: (80 + index) * 2 ** 20,
    }));
    const slices = driftSlices(timeline, memory, 3);
    expect(slices.map((slice) => slice.worstP99)).to.deep.equal([120, 900, 3000]);
    expect(slices.map((slice) => slice.rssBytes! / 2 ** 20)).to.deep.equal([301, 303, 305]);
    expect(slices.map((slice) => slice.requestRate)).to.deep.equal([15, 35, 55]);
  });

  it('finds the threshold break on a fixed 2 s scale, where the knee follows the early latency', () => {
    // A slow start (p99 600 ms) puts the knee's limit at 2.4 s; the threshold is 2 s whatever the start.
    const timeline = [600, 600, 600, 600, 2100, 2200, 2500, 2600, 2700, 2800].map((p99, index) =>
      period(index, p99),
    );
    expect(findThresholdBreak(timeline)?.lastGood.at).to.equal(timeline[3]!.at);
    expect(findKnee(timeline)?.lastGood.at).to.equal(timeline[5]!.at);
    // Failures break it too, and a run that never breaks has no break.
    const failing = [100, 100, 100, 100].map((p99, index) => period(index, p99, index >= 1 ? 5 : 0));
    expect(findThresholdBreak(failing)?.reason).to.equal('5 failed users of 100 arrivals');
    expect(findThresholdBreak(timeline.slice(0, 4))).to.equal(undefined);
  });
});
