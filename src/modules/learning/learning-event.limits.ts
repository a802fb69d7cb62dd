/**
 * Every bound on a learning event, in one place: the validator enforces these, the OpenAPI schema and docs/learning-events.md
 * list them. Lengths of text are counted in Unicode code points.
 */
export const EVENT_LIMITS = {
  /** `context.module`, `context.action` and `data.patternType`. */
  namePattern: /^[a-z0-9][a-z0-9_.-]{0,63}$/,
  sessionIdPattern: /^[A-Za-z0-9_.:-]{1,128}$/,
  /** Printable ASCII without spaces. */
  clientEventIdPattern: /^[\x21-\x7e]{1,128}$/,
  labelKeyPattern: /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
  maxLabels: 16,
  maxLabelLength: 256,
  maxDataBytes: 16 * 1024,
  maxDataDepth: 8,
  maxCorrectionLength: 4000,
  maxCommentLength: 4000,
  maxFieldNameLength: 128,
  maxSignatureLength: 256,
  maxPatternItems: 64,
  maxPatternItemLength: 256,
  maxDurationMs: 86_400_000,
  maxFutureSkewMs: 5 * 60 * 1000,
} as const;

export const SENTIMENTS = ['positive', 'negative'] as const;
export const OUTCOMES = ['success', 'failure', 'abandoned'] as const;
