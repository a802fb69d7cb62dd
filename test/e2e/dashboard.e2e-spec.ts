import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useSuite } from '../support/suite';

const DOCKER = join(__dirname, '../../docker');
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'irate',
  'histogram_quantile',
  'by',
  'without',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
]);

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string }[];
}

/** Metric names a PromQL expression reads: label matchers, groupings, ranges and numbers removed, functions skipped. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b\d+(\.\d+)?(e\d+)?\b/g, '');
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w));
}

describe('Grafana dashboard and Prometheus configuration (e2e)', () => {
  const suite = useSuite();
  const dashboard = JSON.parse(readFileSync(join(DOCKER, 'grafana/dashboards/ai-learning.json'), 'utf8')) as {
    uid: string;
    panels: Panel[];
  };

  it('has the three sections the operations guide names, each with panels', () => {
    const sections: Record<string, Panel[]> = {};
    let current = '';
    for (const panel of dashboard.panels) {
      if (panel.type === 'row') sections[(current = panel.title)] = [];
      else sections[current].push(panel);
    }
    expect(Object.keys(sections)).toEqual(['System performance', 'Security events', 'Compliance status']);
    for (const panels of Object.values(sections)) expect(panels.length).toBeGreaterThanOrEqual(4);
  });

  it('queries only metrics the service exports', async () => {
    const text = (await suite.t.http.get('/metrics')).text;
    const exported = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
      ),
    );
    const queried = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesOf(t.expr))));
    expect(queried.size).toBeGreaterThanOrEqual(25);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('points every panel at the provisioned Prometheus datasource, which Prometheus scrapes from /metrics', () => {
    const datasource = readFileSync(join(DOCKER, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    const uid = /uid: (\S+)/.exec(datasource)![1];
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource?.uid).toBe(uid);
    expect(readFileSync(join(DOCKER, 'prometheus.yml'), 'utf8')).toMatch(/metrics_path: \/metrics/);
    const compose = readFileSync(join(DOCKER, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/^ {2}prometheus:$/m);
    expect(compose).toMatch(/^ {2}grafana:$/m);
  });

  it('reads metric names out of PromQL (the check above can fail)', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{route!="x"}[5m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNamesOf('nodejs_heap_size_used_bytes / 1e6')).toEqual(['nodejs_heap_size_used_bytes']);
    expect(metricNamesOf('sum(rate(no_such_metric_total[5m]))')).toEqual(['no_such_metric_total']);
  });
});
