/**
 * Every problem code the service answers with: its status, what it means and what a client should do. The source
 * of `docs/errors.md` and of the page `GET /errors` that every problem's `type` points to (`/errors#<code>`); a test
 * fails when a code in the source is missing here or the document is out of date.
 */
export interface ErrorEntry {
  code: string;
  /** The HTTP status (or statuses) it comes with. */
  status: string;
  meaning: string;
  action: string;
}

/** What to do, for the codes that share it. */
const ACTIONS: Record<string, string> = {
  retry: 'Retry with backoff, after `Retry-After` when the answer has it.',
  fix: 'Fix the request: `errors` names each field and what is wrong with it. Retrying unchanged will not help.',
  reauthenticate: 'Get a token (`POST /auth/token`) and send it as `Authorization: Bearer <token>`.',
  'not-allowed': 'Do not retry: this caller may not do this. Use a token with the role, or act on your own data.',
  report: 'Retrying may help; if it persists, report it with the answer’s `requestId`.',
};

/** One code a line: code | status | what it means | what to do (a key of ACTIONS, or the text itself). */
const CATALOG = `
VALIDATION.FAILED | 400 | A field is missing, has the wrong type, breaks a bound, holds refused text or is unknown; a JSON body nested deeper than 32 levels; a bad \`cursor\`. | fix
REQUEST.INVALID | 400 | The request is not valid for this route. | fix
REQUEST.MALFORMED_JSON | 400 | The body is not JSON. | fix
REQUEST.INVALID_URL | 400 | Malformed percent-encoding in the URL. | fix
REQUEST.MALFORMED | 400 | The request is not valid HTTP (the connection is closed). | fix
REQUEST.URI_TOO_LONG | 414 | A path parameter is over 100 characters. | fix
REQUEST.HEADERS_TOO_LARGE | 431 | The headers are over 16 KB (the connection is closed). | fix
REQUEST.TIMEOUT | 408 | The request did not finish arriving in time (the connection is closed). | retry
REQUEST.TOO_LARGE | 413 | The body is over \`BODY_LIMIT_BYTES\` (\`LEARNING_BATCH_BODY_LIMIT_BYTES\` for batches). | Send less: split a batch into smaller ones.
REQUEST.UNSUPPORTED_MEDIA_TYPE | 415 | The body is not \`application/json\`. | fix
REQUEST.NOT_ACCEPTABLE | 406 | The \`Accept\` header excludes every type the route answers with. | fix
AUTH.UNAUTHENTICATED | 401 | No token, or an invalid or expired one. | reauthenticate
AUTH.INVALID_CLIENT | 401 | Wrong client id or secret at \`POST /auth/token\`. | Check the client credentials; repeated failures lock the client out for a while.
AUTH.TOO_MANY_ATTEMPTS | 429 | Too many failed logins from this address or for this client. | retry
AUTH.BUSY | 503 | Token requests wait for secret verification beyond \`AUTH_VERIFY_QUEUE\`. | retry
AUTH.FORBIDDEN | 403 | The caller lacks the route’s role, or asked for what only admins see (retired patterns, withdrawn insights). | not-allowed
AUTH.NOT_A_USER | 403 | A \`/me\` route with a token whose \`sub\` is not a user id. | not-allowed
AUTH.CLIENT_NOT_FOUND | 404 | No active API client has this id (never created, or already revoked). | Nothing to revoke: list the clients, or create one.
AUTH.CLIENT_NAME_TAKEN | 409 | An API client of this name already exists (command-line tools). | Choose another name, or revoke the existing client first.
RATE_LIMIT.EXCEEDED | 429 | The caller sent more than \`THROTTLE_LIMIT\` requests in \`THROTTLE_TTL_SECONDS\`. | retry
CONSENT.REQUIRED | 403 | The user has not consented to collective learning, or withdrew. | Do not retry: ask the user for consent (\`PUT /consent/me\`) first.
CONSENT.CHANGE_IN_PROGRESS | 409 | Four changes of this user’s consent already wait on this instance. | retry
LEARNING.FOREIGN_USER | 403 | A user token named another user (an event’s \`userId\`, or the \`userId\` of a list or deletion). | not-allowed
LEARNING.TIMESTAMP_OUT_OF_RANGE | 422 | An event’s \`timestamp\` is more than 5 minutes ahead, or older than \`DATA_RETENTION_DAYS\`. | fix
LEARNING.CONFLICT | 409 | A repeated \`clientEventId\` whose first event vanished meanwhile (a concurrent erasure), or the user’s data key changed twice while the event was stored. | retry
LEARNING.QUOTA_EXCEEDED | 429 | The event’s user reached \`LEARNING_USER_QUOTA_EVENTS\` or \`LEARNING_USER_QUOTA_BYTES\` in this window. | retry
LEARNING.EVENT_NOT_FOUND | 404 | The caller has no event with this id. | Do not retry: the event is gone, or never was the caller’s.
LEARNING.DELETION_IN_PROGRESS | 409 | A legal hold of the user is being placed or lifted, or the user is being erased. | retry
PATTERNS.NOT_FOUND | 404 | No published pattern has this id (a retired one, for non-admins). | Do not retry: re-read the list.
PATTERNS.RUN_IN_PROGRESS | 409 | A mining run is in progress on some instance; \`runId\` names it. | Wait for that run (\`GET /patterns/runs\`) instead of starting another.
INSIGHTS.NOT_FOUND | 404 | No published insight has this id (a withdrawn or expired one, for non-admins). | Do not retry: re-read the list.
INSIGHTS.RUN_IN_PROGRESS | 409 | An insight generation is in progress; \`runId\` names it. | Wait for that run (\`GET /insights/runs\`) instead of starting another.
RETENTION.RUN_IN_PROGRESS | 409 | A purge is in progress; \`runId\` names it when known. | Wait for that run (\`GET /retention/runs\`).
RETENTION.LEGAL_HOLD | 409 | The user is under legal hold: their data may not be erased or deleted. | Do not retry until an admin lifts the hold.
RETENTION.HOLD_NOT_FOUND | 404 | Lifting a hold that does not exist. | Nothing to do: there is no hold.
PRIVACY.IN_PROGRESS | 409 | An erasure of the user is running, or an export of the user is streaming; \`runningRequestId\` when known. | retry
CRYPTO.ROTATION_IN_PROGRESS | 409 | A key rotation to another key is running. | Wait for it (\`GET /crypto/status\`).
CRYPTO.TARGET_NOT_CURRENT | 409 | \`targetKeyId\` is not the answering instance’s current key (a deploy is under way). | Retry once every instance runs the new configuration.
CRYPTO.DATA_SHREDDED | 410 | The data belongs to a user whose data key was deleted (erased). | Do not retry: the data is gone for good.
CRYPTO.INTEGRITY_FAILED | 500 | A stored ciphertext failed authentication (details are logged, not sent). | report
CRYPTO.KEY_UNAVAILABLE | 500 | A stored key names a key-encryption key this instance lacks. | report
METRICS.TOKEN_REQUIRED | 401 | \`GET /metrics\` without the configured \`METRICS_TOKEN\`. | Send \`Authorization: Bearer <METRICS_TOKEN>\`.
HEALTH.NOT_READY | 503 | A readiness check failed (database, heap or disk); \`details\` says which. | Route traffic elsewhere; the probe recovers by itself.
HEALTH.UNHEALTHY | 503 | The service judges itself unhealthy (error rate, database); \`reasons\` says why. | Route traffic elsewhere; the probe recovers by itself.
ROUTE.NOT_FOUND | 404 | No such route. | Check the path (and the \`/api/v1\` prefix).
ROUTE.METHOD_NOT_ALLOWED | 405 | The route does not answer this method. | fix
RESOURCE.NOT_FOUND | 404 | The resource does not exist. | Do not retry.
RESOURCE.CONFLICT | 409 | The resource already exists. | Do not retry: read the existing one.
DATABASE.UNAVAILABLE | 503 | The database is unreachable, or the request lost a deadlock or serialization conflict. | retry
SERVICE.UNAVAILABLE | 503 | A dependency is unavailable for a moment. | retry
INTERNAL | 500 | Anything unexpected (details are logged with the request id). | report
`;

export const ERROR_CATALOG: readonly ErrorEntry[] = CATALOG.trim()
  .split('\n')
  .map((line) => {
    const [code, status, meaning, action] = line.split(' | ');
    return { code, status, meaning, action: ACTIONS[action] ?? action };
  });

/** The fragment of `GET /errors` (and of `docs/errors.md`) that describes `code`. */
export const errorAnchor = (code: string) => code.toLowerCase();

/** `docs/errors.md` and the page `GET /errors`: every code, generated from the catalog. */
export function renderErrorsPage(): string {
  const lines = [
    '# Errors',
    '',
    'Every error is `application/problem+json` (RFC 9457) with a stable `code`, a `type` that points to the code’s',
    'entry below (`/errors#<code in lower case>`, served by the service itself), `title`, `status`, `detail`,',
    '`instance`, `requestId`, and for validation `errors: [{ field, message }]`. `retryable: true` marks the ones worth',
    'retrying. This page is generated from `src/common/errors/error-catalog.ts` (`npm run docs:errors`).',
    '',
  ];
  for (const e of ERROR_CATALOG) {
    lines.push(
      `<a id="${errorAnchor(e.code)}"></a>`,
      '',
      `## ${e.code}`,
      '',
      `**Status** ${e.status}. ${e.meaning}`,
      '',
    );
    lines.push(`**What to do.** ${e.action}`, '');
  }
  return lines.join('\n');
}
