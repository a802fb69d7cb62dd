import { openApiSchema } from '../../../common/http/openapi-schemas';
import { EVENT_TYPES } from '../entities/learning-event.entity';
import { EVENT_LIMITS as L, OUTCOMES, SENTIMENTS } from '../learning-event.limits';

// The request schemas of learning events, stated from the same limits the validator (`validateEvent`) enforces:
// one schema per event type, chosen by `eventType` (a discriminated oneOf), so a client generator gets each type's
// `data` exactly. The validator stays the one that decides; these describe it.

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });

/** Each type's `data`: its own members; further members are allowed (and encrypted like the rest). */
const DATA: Record<(typeof EVENT_TYPES)[number], Record<string, unknown>> = {
  interaction: {
    properties: {
      outcome: { type: 'string', enum: OUTCOMES },
      durationMs: { type: 'integer', minimum: 0, maximum: L.maxDurationMs },
    },
  },
  feedback: {
    description: 'A rating, a sentiment, or both',
    properties: {
      rating: { type: 'integer', minimum: 1, maximum: 5 },
      sentiment: { type: 'string', enum: SENTIMENTS },
      comment: { type: 'string', maxLength: L.maxCommentLength },
    },
    anyOf: [{ required: ['rating'] }, { required: ['sentiment'] }],
  },
  correction: {
    description: 'corrected must differ from original',
    required: ['original', 'corrected'],
    properties: {
      original: text(L.maxCorrectionLength),
      corrected: text(L.maxCorrectionLength),
      field: { type: 'string', maxLength: L.maxFieldNameLength },
    },
  },
  pattern_discovery: {
    required: ['patternType', 'signature', 'items'],
    properties: {
      patternType: { type: 'string', pattern: L.namePattern.source },
      signature: text(L.maxSignatureLength),
      items: { type: 'array', minItems: 1, maxItems: L.maxPatternItems, items: text(L.maxPatternItemLength) },
    },
  },
};

const COMMON = {
  userId: {
    type: 'string',
    format: 'uuid',
    description: 'The user the event is about. Services name it; a user token may only name itself or omit it.',
  },
  context: {
    type: 'object',
    required: ['module', 'action'],
    description: `module, action, sessionId, and up to ${L.maxLabels} more string labels (names ${L.labelKeyPattern.source}, values at most ${L.maxLabelLength} characters). Labels are stored in clear: no personal data in them.`,
    properties: {
      module: { type: 'string', pattern: L.namePattern.source, example: 'editor' },
      action: { type: 'string', pattern: L.namePattern.source, example: 'apply_suggestion' },
      sessionId: { type: 'string', pattern: L.sessionIdPattern.source },
    },
    additionalProperties: { type: 'string', maxLength: L.maxLabelLength },
  },
  timestamp: {
    type: 'string',
    format: 'date-time',
    description:
      'When it happened (with a zone); default now. At most 5 minutes ahead, not older than DATA_RETENTION_DAYS.',
  },
  clientEventId: {
    type: 'string',
    maxLength: 128,
    pattern: L.clientEventIdPattern.source,
    description: 'Idempotency key per user: a repeat is answered as a duplicate, never stored twice',
  },
};

/** The schema name of each event type: InteractionEvent, FeedbackEvent, CorrectionEvent, PatternDiscoveryEvent. */
const schemaName = (type: string) =>
  `${type.replace(/(^|_)(\w)/g, (_, __: string, c: string) => c.toUpperCase())}Event`;

const refs = Object.fromEntries(
  EVENT_TYPES.map((type) => [
    type,
    openApiSchema(schemaName(type), {
      type: 'object',
      required: ['eventType', 'context', 'data'],
      additionalProperties: false,
      properties: {
        ...COMMON,
        eventType: { type: 'string', enum: [type] },
        data: {
          type: 'object',
          additionalProperties: true,
          description: `Encrypted at rest; at most ${L.maxDataBytes} bytes of JSON and ${L.maxDataDepth} levels deep`,
          ...DATA[type],
        },
      },
    }),
  ]),
);

/** One learning event: the schema of its `eventType`. */
export const LEARNING_EVENT = openApiSchema('LearningEvent', {
  oneOf: Object.values(refs),
  discriminator: {
    propertyName: 'eventType',
    mapping: Object.fromEntries(Object.entries(refs).map(([type, ref]) => [type, ref.$ref])),
  },
});

/** A batch of learning events. */
export const LEARNING_BATCH = openApiSchema('LearningBatch', {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array',
      minItems: 1,
      description:
        'At most LEARNING_BATCH_MAX_EVENTS (default 1000) events and LEARNING_BATCH_BODY_LIMIT_BYTES of JSON',
      items: LEARNING_EVENT,
    },
  },
});
