import type { AuthUser } from '../../common/auth/auth-user';
import { hasRole } from '../../common/auth/auth-user';
import type { DomainError, FieldError } from '../../common/errors/domain.error';
import { isUuid } from '../../common/ids/uuid';
import { unsafeTextReason } from '../../common/text/safe-text';
import { EVENT_TYPES, type EventType } from './entities/learning-event.entity';
import { EVENT_LIMITS as L, OUTCOMES, SENTIMENTS } from './learning-event.limits';
import { ForeignUserError, invalidEvent, TimestampOutOfRangeError } from './learning.errors';

/** A learning event that passed every rule, with its clear (miner) columns pulled out of `data`. */
export interface ValidEvent {
  userId: string;
  eventType: EventType;
  module: string;
  action: string;
  sessionId: string | null;
  labels: Record<string, string> | null;
  clientEventId: string | null;
  timestamp: Date;
  /** `data` serialized once, as it will be encrypted. */
  dataJson: string;
  rating: number | null;
  sentiment: string | null;
  outcome: string | null;
  /** What the blind-index signature is computed over (domain and parts), if the type has one. */
  signatureOf: { domain: 'correction' | 'reported'; parts: string[] } | null;
}

export interface ValidationContext {
  caller: AuthUser;
  now: number;
  /** Oldest accepted event time (the retention window). */
  oldestMs: number;
}

export type ValidationResult = { ok: true; event: ValidEvent } | { ok: false; error: DomainError };

const TOP_LEVEL = new Set(['userId', 'eventType', 'context', 'data', 'timestamp', 'clientEventId']);
const CONTEXT_FIELDS = new Set(['module', 'action', 'sessionId']);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most this many field errors are listed per event; the rest are counted in one more entry. */
export const MAX_FIELD_ERRORS = 20;

function capped(errors: FieldError[]): FieldError[] {
  if (errors.length <= MAX_FIELD_ERRORS) return errors;
  return [
    ...errors.slice(0, MAX_FIELD_ERRORS),
    { field: 'event', message: `and ${errors.length - MAX_FIELD_ERRORS} more problems` },
  ];
}

/** Length in code points, counted only when the UTF-16 length could exceed the bound. */
function tooLong(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let n = 0;
  for (const _ of s) if (++n > max) return true;
  return false;
}

/** Nesting depth of a JSON value (a scalar is 0, `{}` is 1); stops counting past `max`. */
function depthOf(value: unknown, max: number, level = 0): number {
  if (typeof value !== 'object' || value === null) return level;
  if (level + 1 > max) return level + 1;
  let deepest = level + 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, max, level + 1));
    if (deepest > max) break;
  }
  return deepest;
}

function text(
  errors: FieldError[],
  field: string,
  value: unknown,
  opts: { required: boolean; max: number; pattern?: RegExp; what?: string },
): string | null {
  if (value === undefined || value === null) {
    if (opts.required) errors.push({ field, message: `${field} is required` });
    return null;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: `${field} must be a string` });
    return null;
  }
  if (opts.pattern ? !opts.pattern.test(value) : value.length === 0 || tooLong(value, opts.max)) {
    errors.push({ field, message: opts.what ?? `${field} must be 1-${opts.max} characters` });
    return null;
  }
  // A pattern already allows only harmless characters.
  const unsafe = opts.pattern ? null : unsafeTextReason(value);
  if (unsafe) {
    errors.push({ field, message: `${field} ${unsafe}` });
    return null;
  }
  return value;
}

/** Checks who the event is about against the caller: users only themselves, services and admins anyone. */
function subjectOf(raw: unknown, caller: AuthUser, errors: FieldError[]): string | DomainError | null {
  const trusted = hasRole(caller, 'service') || hasRole(caller, 'admin');
  if (raw === undefined) {
    if (isUuid(caller.sub)) return caller.sub.toLowerCase();
    errors.push({ field: 'userId', message: 'userId is required when the token’s subject is not a user' });
    return null;
  }
  if (typeof raw !== 'string' || !isUuid(raw)) {
    errors.push({ field: 'userId', message: 'userId must be a uuid' });
    return null;
  }
  const userId = raw.toLowerCase();
  if (!trusted && userId !== caller.sub.toLowerCase()) return new ForeignUserError();
  return userId;
}

function labelsOf(context: Record<string, unknown>, errors: FieldError[]): Record<string, string> | null {
  let labels: Record<string, string> | null = null;
  let count = 0;
  for (const [key, value] of Object.entries(context)) {
    if (CONTEXT_FIELDS.has(key)) continue;
    const field = `context.${key.slice(0, 64)}`;
    if (++count > L.maxLabels) {
      errors.push({
        field: 'context',
        message: `context holds at most ${L.maxLabels} labels besides module, action and sessionId`,
      });
      return null;
    }
    if (!L.labelKeyPattern.test(key)) {
      errors.push({ field, message: 'label names must match ^[A-Za-z][A-Za-z0-9_.-]{0,63}$' });
      continue;
    }
    if (typeof value !== 'string' || tooLong(value, L.maxLabelLength)) {
      errors.push({ field, message: `${field} must be a string of at most ${L.maxLabelLength} characters` });
      continue;
    }
    const unsafe = unsafeTextReason(value);
    if (unsafe) {
      errors.push({ field, message: `${field} ${unsafe}` });
      continue;
    }
    (labels ??= {})[key] = value;
  }
  return labels;
}

interface TypedFields {
  rating: number | null;
  sentiment: string | null;
  outcome: string | null;
  signatureOf: ValidEvent['signatureOf'];
}

function typedFields(type: EventType, data: Record<string, unknown>, errors: FieldError[]): TypedFields {
  const out: TypedFields = { rating: null, sentiment: null, outcome: null, signatureOf: null };
  switch (type) {
    case 'feedback': {
      const { rating, sentiment, comment } = data;
      if (rating !== undefined) {
        if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
          errors.push({ field: 'data.rating', message: 'data.rating must be an integer from 1 to 5' });
        else out.rating = rating;
      }
      if (sentiment !== undefined) {
        if (!SENTIMENTS.includes(sentiment as never))
          errors.push({ field: 'data.sentiment', message: 'data.sentiment must be positive or negative' });
        else out.sentiment = sentiment as string;
      }
      if (rating === undefined && sentiment === undefined)
        errors.push({ field: 'data.rating', message: 'feedback needs data.rating (1-5) or data.sentiment' });
      text(errors, 'data.comment', comment, { required: false, max: L.maxCommentLength });
      break;
    }
    case 'correction': {
      const original = text(errors, 'data.original', data.original, { required: true, max: L.maxCorrectionLength });
      const corrected = text(errors, 'data.corrected', data.corrected, { required: true, max: L.maxCorrectionLength });
      text(errors, 'data.field', data.field, { required: false, max: L.maxFieldNameLength });
      if (original !== null && corrected !== null) {
        if (original === corrected)
          errors.push({ field: 'data.corrected', message: 'data.corrected must differ from data.original' });
        else out.signatureOf = { domain: 'correction', parts: [original, corrected] };
      }
      break;
    }
    case 'pattern_discovery': {
      const patternType = text(errors, 'data.patternType', data.patternType, {
        required: true,
        max: 64,
        pattern: L.namePattern,
        what: 'data.patternType must match ^[a-z0-9][a-z0-9_.-]{0,63}$',
      });
      const signature = text(errors, 'data.signature', data.signature, { required: true, max: L.maxSignatureLength });
      const items = data.items;
      if (!Array.isArray(items) || items.length === 0 || items.length > L.maxPatternItems) {
        errors.push({ field: 'data.items', message: `data.items must be an array of 1-${L.maxPatternItems} strings` });
      } else {
        items.forEach((item, i) =>
          text(errors, `data.items[${i}]`, item, { required: true, max: L.maxPatternItemLength }),
        );
      }
      if (patternType !== null && signature !== null)
        out.signatureOf = { domain: 'reported', parts: [patternType, signature] };
      break;
    }
    case 'interaction': {
      const { outcome, durationMs } = data;
      if (outcome !== undefined) {
        if (!OUTCOMES.includes(outcome as never))
          errors.push({ field: 'data.outcome', message: 'data.outcome must be success, failure or abandoned' });
        else out.outcome = outcome as string;
      }
      if (
        durationMs !== undefined &&
        (typeof durationMs !== 'number' ||
          !Number.isInteger(durationMs) ||
          durationMs < 0 ||
          durationMs > L.maxDurationMs)
      ) {
        errors.push({
          field: 'data.durationMs',
          message: `data.durationMs must be an integer from 0 to ${L.maxDurationMs}`,
        });
      }
      break;
    }
  }
  return out;
}

function timestampOf(raw: unknown, ctx: ValidationContext, errors: FieldError[]): Date | DomainError | null {
  if (raw === undefined) return new Date(ctx.now);
  const ms = typeof raw === 'string' && ISO_8601.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    errors.push({ field: 'timestamp', message: 'timestamp must be an ISO-8601 date-time with a time zone' });
    return null;
  }
  if (ms > ctx.now + L.maxFutureSkewMs)
    return new TimestampOutOfRangeError('timestamp is more than 5 minutes in the future');
  if (ms < ctx.oldestMs)
    return new TimestampOutOfRangeError('timestamp is older than the retention window (DATA_RETENTION_DAYS)');
  return new Date(ms);
}

/**
 * Validates one raw event (already JSON-parsed) for `ctx.caller`. Hand-written rather than class-validator:
 * the batch path runs it up to 1,000 times per request, and every failed field is still named.
 * Malformed input answers 400 with every field named; a foreign user 403; a timestamp out of range 422.
 */
export function validateEvent(raw: unknown, ctx: ValidationContext): ValidationResult {
  if (!isObject(raw))
    return { ok: false, error: invalidEvent([{ field: 'event', message: 'an event must be a JSON object' }]) };
  const errors: FieldError[] = [];
  for (const key of Object.keys(raw)) {
    // Named so the client can fix it, but cut short: a field name is client text, not something to echo at length.
    if (!TOP_LEVEL.has(key))
      errors.push({ field: key.slice(0, 64), message: `${key.slice(0, 64)} is not a known field` });
  }

  const subject = subjectOf(raw.userId, ctx.caller, errors);
  const eventType = raw.eventType;
  const type = EVENT_TYPES.includes(eventType as never) ? (eventType as EventType) : null;
  if (!type) errors.push({ field: 'eventType', message: `eventType must be one of ${EVENT_TYPES.join(', ')}` });

  let module: string | null = null;
  let action: string | null = null;
  let sessionId: string | null = null;
  let labels: Record<string, string> | null = null;
  const context = raw.context;
  if (!isObject(context)) {
    errors.push({ field: 'context', message: 'context must be an object with module and action' });
  } else {
    const name = { required: true, max: 64, pattern: L.namePattern };
    module = text(errors, 'context.module', context.module, {
      ...name,
      what: 'context.module must match ^[a-z0-9][a-z0-9_.-]{0,63}$',
    });
    action = text(errors, 'context.action', context.action, {
      ...name,
      what: 'context.action must match ^[a-z0-9][a-z0-9_.-]{0,63}$',
    });
    sessionId = text(errors, 'context.sessionId', context.sessionId, {
      required: false,
      max: 128,
      pattern: L.sessionIdPattern,
      what: 'context.sessionId must be 1-128 characters of A-Z a-z 0-9 _ . : -',
    });
    labels = labelsOf(context, errors);
  }

  const clientEventId = text(errors, 'clientEventId', raw.clientEventId, {
    required: false,
    max: 128,
    pattern: L.clientEventIdPattern,
    what: 'clientEventId must be 1-128 printable ASCII characters without spaces',
  });

  let dataJson = '';
  let typed: TypedFields = { rating: null, sentiment: null, outcome: null, signatureOf: null };
  const data = raw.data;
  if (!isObject(data)) {
    errors.push({ field: 'data', message: 'data must be an object' });
  } else if (depthOf(data, L.maxDataDepth) > L.maxDataDepth) {
    errors.push({ field: 'data', message: `data may nest at most ${L.maxDataDepth} levels` });
  } else {
    dataJson = JSON.stringify(data);
    if (Buffer.byteLength(dataJson, 'utf8') > L.maxDataBytes)
      errors.push({ field: 'data', message: `data must serialize to at most ${L.maxDataBytes} bytes of JSON` });
    else if (type) typed = typedFields(type, data, errors);
  }

  const timestamp = timestampOf(raw.timestamp, ctx, errors);
  if (errors.length > 0) return { ok: false, error: invalidEvent(capped(errors)) };
  if (subject instanceof Error) return { ok: false, error: subject };
  if (timestamp instanceof Error) return { ok: false, error: timestamp };
  return {
    ok: true,
    event: {
      userId: subject as string,
      eventType: type as EventType,
      module: module as string,
      action: action as string,
      sessionId,
      labels,
      clientEventId,
      timestamp: timestamp as Date,
      dataJson,
      ...typed,
    },
  };
}

/** The `events` array of a batch body, or 400 naming what is wrong with the envelope itself. */
export function eventsOfBatch(body: unknown, max: number): unknown[] {
  if (!isObject(body)) throw invalidEvent([{ field: 'body', message: 'the body must be an object { events: [...] }' }]);
  const unknown = Object.keys(body).filter((k) => k !== 'events');
  if (unknown.length > 0)
    throw invalidEvent(
      capped(unknown.map((key) => ({ field: key.slice(0, 64), message: `${key.slice(0, 64)} is not a known field` }))),
    );
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0 || events.length > max) {
    throw invalidEvent([{ field: 'events', message: `events must be an array of 1-${max} events` }]);
  }
  return events;
}
