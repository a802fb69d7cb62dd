/** The process `closedLoad` runs autocannon in: receives a `ClosedLoadSpec`, answers `measuring`, then the result. */
import autocannon from 'autocannon';
import type { ClosedLoadResult, ClosedLoadSpec } from './closed-load';
import { serveLoadProcess } from './processes';

async function run(spec: ClosedLoadSpec, measuringStarts: () => void): Promise<ClosedLoadResult> {
  const { bodies, tokens } = spec;
  let next = 0;
  const requests: autocannon.Request[] = [
    {
      setupRequest: (req) => {
        const i = next++;
        const headers = tokens ? { ...req.headers, authorization: `Bearer ${tokens[i % tokens.length]}` } : req.headers;
        return bodies ? { ...req, headers, body: bodies[i % bodies.length] } : { ...req, headers };
      },
    },
  ];
  const base = {
    url: spec.url,
    method: spec.method,
    headers: { ...(bodies ? { 'content-type': 'application/json' } : {}), ...spec.headers },
    connections: spec.connections,
    pipelining: 1,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    requests,
  };
  if (spec.warmupSeconds > 0) await autocannon({ ...base, duration: spec.warmupSeconds });
  measuringStarts();
  const result = await autocannon({ ...base, duration: spec.seconds });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

serveLoadProcess(run);
