import { expect } from 'chai';
import { isRecordedMetricName, listMetricNames } from './metric-names';

describe('listMetricNames', () => {
  it('finds selectors and ignores functions, labels, strings and grouping lists', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{job="carewatch", route=~"/v1/.*"}[5m])))';
    expect(listMetricNames(expr)).to.deep.equal(['http_server_request_duration_seconds_bucket']);
  });

  it('handles binary operators, matching clauses, offsets and bare names', () => {
    const expr =
      'sum by (instance) (carewatch_db_pool_connections{state="in_use"}) / on (instance) group_left () max by (instance) (carewatch_db_pool_max_connections) > 0.9 and on() up offset 5m';
    expect(listMetricNames(expr)).to.deep.equal([
      'carewatch_db_pool_connections',
      'carewatch_db_pool_max_connections',
      'up',
    ]);
  });

  it('returns nothing for pure functions of time and keeps recorded names', () => {
    expect(listMetricNames('(hour() >= 7 < 22)')).to.deep.equal([]);
    expect(listMetricNames('label_replace(vector(1), "x", "$1", "y", "(.*)")')).to.deep.equal([]);
    expect(listMetricNames('slo:sli_error:ratio_rate5m{sloth_slo="a"} > (14.4 * 0.001)')).to.deep.equal([
      'slo:sli_error:ratio_rate5m',
    ]);
    expect(isRecordedMetricName('slo:objective:ratio')).to.equal(true);
    expect(isRecordedMetricName('up')).to.equal(false);
  });

  it('does not mistake scientific notation or durations for names', () => {
    expect(listMetricNames('process_resident_memory_bytes > 1.5e9')).to.deep.equal([
      'process_resident_memory_bytes',
    ]);
    expect(listMetricNames('avg_over_time(up[1h:1m])')).to.deep.equal(['up']);
  });
});
