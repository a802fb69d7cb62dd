import type { Problem } from '../../src/common/errors/problem';
import type { FuzzResponse } from './fuzz-client';

const PROBLEM_TYPE = /^application\/problem\+json(\s*;|$)/i;
const JSON_TYPE = /^application\/json(\s*;|$)/i;
const CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/;

/** What must never reach a client: stack frames, paths into the code, ORM and SQL error text. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat .*\.[cm]?[jt]s:\d+/],
  ['a stack frame', /\bat (async )?[\w$.<>]+ \((node:|file:|\/)/],
  ['node_modules', /node_modules/],
  [
    'ORM or SQL error text',
    /MikroORM|QueryFailedError|DriverException|SQLSTATE|duplicate key value|syntax error at or near|violates [a-z -]*constraint|invalid input syntax for/i,
  ],
];

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/**
 * Everything wrong with one answer: no 500 (a 503 only as a retryable problem), every error RFC 9457
 * problem+json in this service's shape (status, code, type, title, detail, and the request id the header
 * carries), success JSON that parses, and nothing internal in any body.
 */
export function violationsOf(res: FuzzResponse): string[] {
  const problems: string[] = [];
  const contentType = String(res.headers['content-type'] ?? '');
  const text = res.body.toString('utf8');
  for (const [what, pattern] of LEAKS)
    if (pattern.test(text)) problems.push(`the body holds ${what}: ${JSON.stringify(pattern.exec(text)?.[0])}`);

  if (res.status < 400) {
    if (res.body.length > 0 && JSON_TYPE.test(contentType) && !parseJson(res.body).ok)
      problems.push(`a ${res.status} says application/json but its body does not parse`);
    return problems;
  }
  if (!PROBLEM_TYPE.test(contentType))
    problems.push(
      `a ${res.status} answered with content-type ${JSON.stringify(contentType)}, not application/problem+json`,
    );
  const parsed = parseJson(res.body);
  const problem =
    parsed.ok && typeof parsed.value === 'object' && parsed.value !== null
      ? (parsed.value as Partial<Problem>)
      : undefined;
  if (!problem) {
    problems.push(`a ${res.status} body is not a JSON object: ${JSON.stringify(text.slice(0, 200))}`);
    return problems;
  }
  if (problem.status !== res.status)
    problems.push(`problem.status ${JSON.stringify(problem.status)} differs from the HTTP status ${res.status}`);
  if (typeof problem.code !== 'string' || !CODE.test(problem.code))
    problems.push(`problem.code ${JSON.stringify(problem.code)} is not a stable AREA.REASON code`);
  for (const field of ['type', 'title', 'detail'] as const) {
    if (typeof problem[field] !== 'string' || problem[field] === '')
      problems.push(`problem.${field} is missing or empty`);
  }
  const headerId = res.headers['x-request-id'];
  if (problem.requestId !== undefined && headerId !== undefined && problem.requestId !== headerId) {
    problems.push(
      `problem.requestId ${JSON.stringify(problem.requestId)} differs from the x-request-id header ${JSON.stringify(headerId)}`,
    );
  }
  if (res.status >= 500 && !(res.status === 503 && problem.retryable === true)) {
    problems.push(`a ${res.status} ${String(problem.code)}${res.status === 503 ? ' without retryable: true' : ''}`);
  }
  return problems;
}
