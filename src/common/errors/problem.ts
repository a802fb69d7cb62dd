import type { DomainErrorKind, FieldError } from './domain.error';

/** RFC 9457 problem details, with this service's extension members. */
export interface Problem {
  [extension: string]: unknown;
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  retryable?: boolean;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const KIND_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  gone: 410,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * A problem's `type`: a URI reference to the code's entry on the page the service serves (`GET /errors`, generated
 * from the error catalog like docs/errors.md), resolved against the request's URL.
 */
export function typeFor(code: string): string {
  return `/errors#${code.toLowerCase()}`;
}

export function makeProblem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: typeFor(code), title: titleFor(status), status, detail, code, ...extra };
}
