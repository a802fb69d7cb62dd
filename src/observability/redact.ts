/** Keys whose values never reach a log line, at any depth. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|password|secret|clientSecret|client_secret|token|accessToken|refreshToken|jwt|apiKey|api_key|key|encryptionKey|data|payload|original|corrected|comment)$/i;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]*:[^\s@/]+@/gi;

export function redactString(text: string): string {
  return text
    .replace(BEARER, 'Bearer [redacted]')
    .replace(JWT_LIKE, '[redacted-jwt]')
    .replace(URL_CREDENTIALS, '$1[redacted]@');
}

/** Returns a copy of `value` with secret-looking keys masked and bearer tokens cut out of strings. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error)
    return {
      name: value.name,
      message: redactString(value.message),
      stack: value.stack ? redactString(value.stack) : undefined,
    };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}
