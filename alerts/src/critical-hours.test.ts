import { expect } from 'chai';
import { CRITICAL_HOURS, criticalHoursFilter } from './critical-hours';

describe('criticalHoursFilter', () => {
  it('defaults to 07:00-22:00 and uses hour() directly when local time is UTC', () => {
    expect(CRITICAL_HOURS).to.include({ startHour: 7, endHour: 22 });
    expect(criticalHoursFilter({ startHour: 7, endHour: 22, utcOffsetHours: 0 })).to.equal(
      '(hour() >= 7 < 22)',
    );
  });

  it('shifts the clock for a local time zone', () => {
    expect(criticalHoursFilter({ startHour: 8, endHour: 20, utcOffsetHours: -5 })).to.equal(
      '(hour(vector(time() + -18000)) >= 8 < 20)',
    );
  });
});
