import { expect } from 'chai';
import { loadConfig } from '../config';
import { clinicClock, exportCriticalHours } from './critical-hours';
import { createMetrics } from './metrics';

// Issue 12, point 2: critical hours are the clinics' local hours, daylight saving included. New York
// switched to daylight time on 2026-03-08: 11:30 UTC was 06:30 the day before and 07:30 the day after,
// which no fixed offset gets right on both days.

describe('critical hours in the clinic time zone', () => {
  const newYork = clinicClock('America/New_York');

  it('follows daylight saving: 11:30 UTC is outside on 7 March and inside on 9 March in New York', () => {
    expect(newYork.insideCriticalHours(new Date('2026-03-07T11:30:00Z'))).to.equal(false);
    expect(newYork.insideCriticalHours(new Date('2026-03-09T11:30:00Z'))).to.equal(true);
    expect(newYork.utcOffsetSeconds(new Date('2026-03-07T11:30:00Z'))).to.equal(-5 * 3600);
    expect(newYork.utcOffsetSeconds(new Date('2026-03-09T11:30:00Z'))).to.equal(-4 * 3600);
  });

  it('ends at 22:00 local, and in UTC it is UTC', () => {
    expect(newYork.insideCriticalHours(new Date('2026-07-01T01:59:00Z'))).to.equal(true); // 21:59 EDT
    expect(newYork.insideCriticalHours(new Date('2026-07-01T02:00:00Z'))).to.equal(false); // 22:00 EDT
    expect(clinicClock('UTC').insideCriticalHours(new Date('2026-07-01T06:59:59Z'))).to.equal(false);
    expect(clinicClock('Asia/Kolkata').utcOffsetSeconds(new Date('2026-07-01T00:00:00Z'))).to.equal(19_800);
  });

  it('exports carewatch_in_critical_period and the offset for each scrape', async () => {
    const metrics = createMetrics();
    exportCriticalHours(metrics, 'Europe/Paris', () => new Date('2026-10-25T05:30:00Z')); // 06:30 CET
    const exposition = await metrics.render();
    expect(exposition).to.match(/^carewatch_in_critical_period 0$/m);
    expect(exposition).to.match(/^carewatch_clinic_utc_offset_seconds 3600$/m);
  });

  it('takes CLINIC_TIMEZONE as an IANA name and refuses anything else', () => {
    expect(loadConfig({ CLINIC_TIMEZONE: 'America/Chicago' }).clinic.timeZone).to.equal('America/Chicago');
    expect(loadConfig({}).clinic.timeZone).to.equal('UTC');
    expect(() => loadConfig({ CLINIC_TIMEZONE: 'Mars/Olympus_Mons' })).to.throw(/CLINIC_TIMEZONE/);
    expect(() => loadConfig({ CLINIC_TIMEZONE: '+05:00' })).to.throw(/CLINIC_TIMEZONE/);
  });
});
