import { describe, expect, it } from 'vitest';
import { checkPromql, exposedMetricNames } from '../src/promql.js';

describe('checkPromql (the tests of the alert rules and the dashboard)', () => {
  it('finds the metrics of an expression, not its functions, aggregations, labels or keywords', () => {
    const { metrics, problems } = checkPromql(
      'sum by (group) (max by (group, topic, partition) (delta(kafka_consumer_group_lag{group=~"$group"}[15m]))) > 0 and on (group) rate(x_total[$__rate_interval]) / ignoring (le) y_count offset 5m',
    );
    expect(problems).toEqual([]);
    expect(metrics.sort()).toEqual(['kafka_consumer_group_lag', 'x_total', 'y_count']);
    expect(checkPromql('histogram_quantile(0.95, sum by (le, sender_type) (rate(a_bucket[10m]))) > 300').metrics).toEqual(['a_bucket']);
    expect(checkPromql('absent(up{service="a"}) or absent(down{service="b"})').metrics).toEqual(['up', 'down']);
  });

  it('says what is wrong', () => {
    expect(checkPromql('sum(rate(x[5m])').problems).toContain('unclosed (');
    expect(checkPromql('rate(x[5 minutes])').problems.join()).toContain('bad duration');
    expect(checkPromql('x y').problems.join()).toContain('two operands');
    expect(checkPromql('x{a}').problems.join()).toContain('without a matcher');
    expect(checkPromql('x >').problems).toContain('ends with an operator');
    expect(checkPromql('x{a="b}').problems.join()).toContain('unterminated string');
  });

  it('reads the names a /metrics page offers, with the series of histograms', () => {
    const names = exposedMetricNames('# HELP a_total A\n# TYPE a_total counter\na_total 1\n# TYPE h histogram\nh_bucket{le="1"} 0\n');
    expect([...names].sort()).toEqual(['a_total', 'h', 'h_bucket', 'h_count', 'h_sum']);
  });
});
