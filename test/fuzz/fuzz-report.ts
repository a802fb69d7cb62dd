import { describeRequest, type FuzzResponse } from './fuzz-client';
import type { FuzzRequest } from './request-arbitrary';

export interface Finding {
  operation: string;
  request: FuzzRequest;
  status: number | 'no answer';
  violations: string[];
  body: string;
}

interface OperationTally {
  requests: number;
  statuses: Map<number | 'no answer', number>;
  runs?: number;
  shrinks?: number;
}

/** What the fuzzer tried (requests and statuses per operation, generator choices) and what broke. */
export class FuzzReport {
  private readonly operations = new Map<string, OperationTally>();
  private readonly tags = new Map<string, number>();
  private readonly codes = new Map<string, number>();
  /** Every violating request, first of each (operation, violation) pair only. */
  readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();

  record(operation: string, req: FuzzRequest, res: FuzzResponse | undefined, violations: string[]): void {
    const tally = this.tally(operation);
    tally.requests++;
    const status = res?.status ?? 'no answer';
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    for (const tag of req.tags) this.tags.set(tag, (this.tags.get(tag) ?? 0) + 1);
    if (res && res.status >= 400) {
      const code = problemCode(res);
      this.codes.set(`${res.status} ${code}`, (this.codes.get(`${res.status} ${code}`) ?? 0) + 1);
    }
    for (const violation of violations) {
      const key = `${operation}|${violation.replace(/"[^"]*"/g, '""')}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.findings.push({
        operation,
        request: req,
        status,
        violations,
        body: res?.body.toString('utf8').slice(0, 500) ?? '',
      });
    }
  }

  /** fast-check's own count for the operation (runs include those repeated while shrinking). */
  ran(operation: string, runs: number, shrinks: number): void {
    Object.assign(this.tally(operation), { runs, shrinks });
  }

  statusesSeen(): number[] {
    return [...this.operations.values()].flatMap((t) =>
      [...t.statuses.keys()].filter((s): s is number => typeof s === 'number'),
    );
  }

  summary(seed: number, runs: number, elapsedMs: number): string {
    const width = Math.max(...[...this.operations.keys()].map((k) => k.length));
    const total = [...this.operations.values()].reduce((n, t) => n + t.requests, 0);
    const lines = [
      `OpenAPI fuzz: seed ${seed}, ${runs} runs per operation, ${total} requests in ${(elapsedMs / 1000).toFixed(1)} s`,
      '',
    ];
    for (const [operation, tally] of this.operations) {
      const statuses = [...tally.statuses.entries()]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
      const shrunk = tally.shrinks ? ` (shrunk ${tally.shrinks}×)` : '';
      lines.push(`${operation.padEnd(width)}  ${String(tally.requests).padStart(6)}  ${statuses}${shrunk}`);
    }
    lines.push('', 'Generator choices (requests carrying each):', ...columns(this.tags, 4, 34));
    lines.push('', 'Problem codes answered:', ...columns(this.codes, 3, 46));
    lines.push('', this.findings.length ? `${this.findings.length} finding(s):` : 'No findings.');
    for (const f of this.findings) lines.push('', formatFinding(f));
    return `${lines.join('\n')}\n`;
  }

  private tally(operation: string): OperationTally {
    let tally = this.operations.get(operation);
    if (!tally) this.operations.set(operation, (tally = { requests: 0, statuses: new Map() }));
    return tally;
  }
}

export function formatFinding(f: Finding): string {
  return [
    `[${f.operation}] answered ${f.status}: ${f.violations.join('; ')}`,
    describeRequest(f.request),
    `answer: ${JSON.stringify(f.body)}`,
  ].join('\n');
}

function problemCode(res: FuzzResponse): string {
  try {
    const code = (JSON.parse(res.body.toString('utf8')) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '(no code)';
  } catch {
    return '(not JSON)';
  }
}

function columns(counts: Map<string, number>, perLine: number, width: number): string[] {
  const sorted = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines: string[] = [];
  for (let i = 0; i < sorted.length; i += perLine)
    lines.push(
      `  ${sorted
        .slice(i, i + perLine)
        .map(([key, n]) => `${key} ${n}`.padEnd(width))
        .join('')}`.trimEnd(),
    );
  return lines;
}
