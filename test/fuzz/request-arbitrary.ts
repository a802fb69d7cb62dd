import fc from 'fast-check';
import type { Operation, Parameter, Schema } from './openapi-model';
import {
  deepJson,
  extraKey,
  headerText,
  hugeText,
  junkValue,
  ODD_NUMBER_TEXT,
  oddNumber,
  oddText,
  percentEncode,
  RawJson,
  rawPercentJunk,
  toJsonText,
} from './odd-values';

/** One request as it goes on the wire; what the findings quote to reproduce it. */
export interface FuzzRequest {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** How the body text becomes bytes: latin1 sends 0x80-0xFF as single (invalid UTF-8) bytes. */
  bodyEncoding?: 'utf8' | 'latin1' | 'utf16le';
  /** What the generator chose, for the summary (e.g. `token:expired`, `body:missing-required`). */
  tags: string[];
}

/** Values known to the running service (user ids with consent, a client id and its secret, real cursors), by field name. */
export type Dictionary = Record<string, string[]>;

/** Authorization header values by what they are; `valid` ones are signed for the test app, the rest are not accepted. */
export interface TokenTable {
  valid: { user: string[]; service: string[]; admin: string[] };
  /** Signed but refused: expired, wrong secret, alg none, no exp, unknown role, a user token whose sub is no uuid, … */
  refused: Record<string, string>;
}

export interface GeneratorContext {
  tokens: TokenTable;
  dictionary: Dictionary;
  /** Arbitraries for values whose shape the schema only describes in prose (e.g. an event's `data`), by property name. */
  hints: Record<string, fc.Arbitrary<unknown>>;
}

type Tagged<T> = { value: T; tags: string[] };

const tagged = <T>(tag: string, arb: fc.Arbitrary<T>): fc.Arbitrary<Tagged<T>> =>
  arb.map((value) => ({ value, tags: [tag] }));

// ---- tokens ----

function authArbitrary(tokens: TokenTable): fc.Arbitrary<Tagged<string | undefined>> {
  const valid = [
    ...tokens.valid.user.map((t) => ['user', t] as const),
    ...tokens.valid.service.map((t) => ['service', t] as const),
    ...tokens.valid.admin.map((t) => ['admin', t] as const),
  ];
  const anyValid = fc.constantFrom(...valid);
  return fc.oneof(
    { arbitrary: anyValid.map(([role, t]) => ({ value: `Bearer ${t}`, tags: [`token:${role}`] })), weight: 12 },
    { arbitrary: fc.constant<Tagged<string | undefined>>({ value: undefined, tags: ['token:none'] }), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(...Object.entries(tokens.refused))
        .map(([kind, t]) => ({ value: `Bearer ${t}`, tags: [`token:${kind}`] })),
      weight: 2,
    },
    {
      arbitrary: fc.oneof(
        tagged(
          'token:garbage',
          headerText.map((junk) => `Bearer ${junk}`),
        ),
        tagged(
          'token:scheme',
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Basic dXNlcjpwYXNz',
            'Digest username="x"',
            'Negotiate',
            'Bearer a.b.c',
            'Bearer ...',
            'Bearer e30.e30.',
          ),
        ),
        tagged(
          'token:mangled',
          fc
            .tuple(
              anyValid,
              fc.constantFrom('lower', 'double-space', 'bare', 'twice', 'truncated', 'flipped', 'trailing'),
            )
            .map(([[, t], how]) => mangle(t, how)),
        ),
        tagged(
          'token:oversized',
          fc.constantFrom(3_000, 12_000, 20_000).map((n) => `Bearer ${'a'.repeat(n)}`),
        ),
      ),
      weight: 2,
    },
  );
}

function mangle(token: string, how: string): string {
  switch (how) {
    case 'lower':
      return `bearer ${token}`;
    case 'double-space':
      return `Bearer  ${token}`;
    case 'bare':
      return token;
    case 'twice':
      return `Bearer ${token}, Bearer ${token}`;
    case 'truncated':
      return `Bearer ${token.slice(0, -5)}`;
    case 'flipped':
      return `Bearer ${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    default:
      return `Bearer ${token}.`;
  }
}

// ---- values from a schema ----

const isoDate = (from: number, to: number) =>
  fc.integer({ min: from, max: to }).map((ms) => new Date(ms).toISOString());
const DAY = 86_400_000;

/** Date-times near now (valid for "not in the future, not past retention" rules), far ones, and malformed ones. */
function dateTimeArbitrary(): fc.Arbitrary<string> {
  const now = Date.now();
  return fc.oneof(
    { arbitrary: isoDate(now - 30 * DAY, now - 60_000), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        '1970-01-01T00:00:00Z',
        '0001-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
        '+275760-09-13T00:00:00.000Z',
        '-000001-01-01T00:00:00Z',
      ),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(
        '2026-13-45T99:99:99Z',
        '2026-02-30T00:00:00Z',
        '2026-01-01',
        '2026-01-01T00:00:00',
        '2026-01-01T00:00:00+25:00',
        'yesterday',
        '1700000000',
        '0',
      ),
      weight: 1,
    },
  );
}

function stringArbitrary(schema: Schema, name: string, ctx: GeneratorContext): fc.Arbitrary<string> {
  const known = ctx.dictionary[name];
  let arb: fc.Arbitrary<string>;
  if (schema.enum) arb = fc.constantFrom(...schema.enum.map(String));
  else if (schema.format === 'uuid') arb = fc.uuid();
  else if (schema.format === 'date-time') arb = dateTimeArbitrary();
  else if (schema.pattern) arb = fc.stringMatching(new RegExp(schema.pattern), { maxLength: schema.maxLength });
  else
    arb = fc.string({
      unit: 'grapheme',
      minLength: Math.max(1, schema.minLength ?? 1),
      maxLength: Math.min(schema.maxLength ?? 40, 40),
    });
  return known?.length
    ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: arb, weight: 1 })
    : arb;
}

/** A value the schema allows (as far as JSON Schema can say; prose rules come from `ctx.hints`). */
export function validValue(schema: Schema, name: string, ctx: GeneratorContext, depth = 0): fc.Arbitrary<unknown> {
  const hint = ctx.hints[name];
  if (hint) return hint;
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((choice) => validValue(choice, name, ctx, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema, name, ctx);
    case 'number':
    case 'integer':
      return fc.integer({ min: Math.ceil(schema.minimum ?? -1_000), max: Math.floor(schema.maximum ?? 1_000_000) });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(validValue(schema.items ?? {}, name, ctx, depth + 1), {
        minLength: min,
        maxLength: Math.max(min, Math.min(schema.maxItems ?? 4, 4)),
      });
    }
    default:
      if (schema.properties && depth < 6) {
        const model = Object.fromEntries(
          Object.entries(schema.properties).map(([key, prop]) => [key, validValue(prop, key, ctx, depth + 1)]),
        );
        return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
      }
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
  }
}

// ---- body mutations ----

type Path = (string | number)[];

/** Paths of every node under `value` (the root is []), containers first. */
function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (out.length > 64) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...path, i], out));
  else if (value !== null && typeof value === 'object' && !(value instanceof RawJson))
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...path, k], out);
  return out;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object' && !(value instanceof RawJson))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

type Mutation = { kind: string; path: Path; with?: unknown; key?: string };

/** Applies one mutation in place of the node at `path`; returns the new root. */
function applyMutation(root: unknown, m: Mutation): unknown {
  const replace = (old: unknown): unknown => {
    switch (m.kind) {
      case 'delete':
        return undefined;
      case 'extra-field':
        return old !== null && typeof old === 'object' && !Array.isArray(old)
          ? Object.fromEntries([...Object.entries(old), [m.key!, clone(m.with)]])
          : old;
      case 'wrap-in-array':
        return [old];
      case 'object-for-array':
        return Array.isArray(old) ? Object.fromEntries(old.map((v, i) => [String(i), v])) : { value: old };
      default:
        return clone(m.with);
    }
  };
  if (m.path.length === 0) return replace(root);
  // An earlier mutation may have replaced a container on the way: then this one has nothing left to change.
  const isContainer = (v: unknown): v is Record<string | number, unknown> =>
    v !== null && typeof v === 'object' && !(v instanceof RawJson);
  let parent: unknown = root;
  for (const step of m.path.slice(0, -1)) {
    if (!isContainer(parent)) return root;
    parent = parent[step];
  }
  if (!isContainer(parent)) return root;
  const last = m.path[m.path.length - 1];
  const next = replace(parent[last]);
  if (next === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = next;
  return root;
}

function mutationArbitrary(paths: Path[]): fc.Arbitrary<Mutation> {
  const path = fc.constantFrom(...paths);
  return fc.oneof(
    fc.record({ kind: fc.constant('wrong-type'), path, with: junkValue }),
    fc.record({ kind: fc.constant('delete'), path }),
    fc.record({ kind: fc.constant('extra-field'), path, key: extraKey, with: junkValue }),
    fc.record({ kind: fc.constant('null'), path, with: fc.constant(null) }),
    fc.record({ kind: fc.constant('odd-text'), path, with: oddText }),
    fc.record({ kind: fc.constant('odd-number'), path, with: oddNumber }),
    fc.record({ kind: fc.constant('huge-text'), path, with: hugeText }),
    fc.record({ kind: fc.constant('deep-nesting'), path, with: deepJson }),
    fc.record({ kind: fc.constantFrom('wrap-in-array', 'object-for-array'), path }),
  );
}

type Body = { text?: string; encoding?: FuzzRequest['bodyEncoding']; tags: string[] };

/** Raw texts no serializer would write: truncated, BOM, duplicate keys, prototype pollution, wrong encodings, too large. */
const rawBodies: fc.Arbitrary<Body> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '"x"',
      '[]',
      '{}garbage',
      '\ufeff{}',
      '{"a":1,"a":2}',
      '{"__proto__":{"admin":true,"roles":["admin"]}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '1e999',
      '{"x":1e400}',
      '{"\\ud800":"\\udfff"}',
      '{"a":"\\u0000"}',
      "{'single':'quotes'}",
      '{"a":NaN}',
      '{"a":01}',
    )
    .map((text) => ({ text, tags: ['body:raw'] })),
  fc
    .constantFrom('{"x":"\u00e9\u00ff\u00c0"}', '\u00ff\u00fe{\u0000}')
    .map((text) => ({ text, encoding: 'latin1' as const, tags: ['body:invalid-utf8'] })),
  fc
    .constantFrom('{"allowCollectiveLearning":true}', '{}')
    .map((text) => ({ text, encoding: 'utf16le' as const, tags: ['body:utf16'] })),
  fc.constantFrom(1_100_000, 17_000_000).map((n) => ({ text: `{"pad":"${'x'.repeat(n)}"}`, tags: ['body:too-large'] })),
  deepJson.map((raw) => ({ text: raw.text, tags: ['body:deep'] })),
);

function bodyArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<Body> {
  if (!op.body) {
    return fc.oneof(
      { arbitrary: fc.constant<Body>({ tags: ['body:none'] }), weight: 6 },
      { arbitrary: junkValue.map((v): Body => ({ text: toJsonText(v), tags: ['body:unexpected'] })), weight: 1 },
      { arbitrary: rawBodies, weight: 1 },
    );
  }
  const valid = validValue(op.body, '', ctx);
  const mutated = valid.chain((v) =>
    fc.array(mutationArbitrary(pathsOf(v)), { minLength: 1, maxLength: 3 }).map((mutations): Body => {
      const body = mutations.reduce((root, m) => applyMutation(root, m), clone(v));
      return { text: body === undefined ? '' : toJsonText(body), tags: mutations.map((m) => `body:${m.kind}`) };
    }),
  );
  return fc.oneof(
    { arbitrary: valid.map((v): Body => ({ text: toJsonText(v), tags: ['body:valid'] })), weight: 4 },
    { arbitrary: mutated, weight: 6 },
    { arbitrary: junkValue.map((v): Body => ({ text: toJsonText(v), tags: ['body:replaced'] })), weight: 1 },
    { arbitrary: rawBodies, weight: 1 },
    { arbitrary: fc.constant<Body>({ tags: ['body:missing'] }), weight: 1 },
  );
}

// ---- path and query ----

function pathValueArbitrary(param: Parameter, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  const known = ctx.dictionary[param.name] ?? [];
  const valid = fc.oneof(...(known.length ? [fc.constantFrom(...known)] : []), fc.uuid());
  return fc.oneof(
    { arbitrary: tagged('path:valid', valid.map(percentEncode)), weight: 6 },
    {
      arbitrary: tagged(
        'path:uuid-variant',
        valid
          .chain((id) =>
            fc.constantFrom(
              id.toUpperCase(),
              `{${id}}`,
              id.replace(/-/g, ''),
              `${id} `,
              `${id}\u0000`,
              `urn:uuid:${id}`,
            ),
          )
          .map(percentEncode),
      ),
      weight: 1,
    },
    { arbitrary: tagged('path:odd-text', oddText.filter((s) => s.length > 0).map(percentEncode)), weight: 2 },
    {
      arbitrary: tagged(
        'path:huge',
        fc.constantFrom(1_000, 8_000, 20_000).map((n) => 'a'.repeat(n)),
      ),
      weight: 1,
    },
    { arbitrary: tagged('path:percent-junk', rawPercentJunk), weight: 1 },
    {
      arbitrary: tagged(
        'path:special',
        fc.constantFrom(
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          '..',
          '.',
          'me',
          'undefined',
          'null',
          '-1',
          '1e308',
        ),
      ),
      weight: 1,
    },
  );
}

function queryValueArbitrary(param: Parameter, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  const schema = param.schema ?? {};
  const numeric = schema.type === 'number' || schema.type === 'integer';
  const valid = numeric ? validValue(schema, param.name, ctx).map(String) : stringArbitrary(schema, param.name, ctx);
  const boundaries = numeric
    ? fc.constantFrom(
        ...[schema.minimum, schema.maximum]
          .filter((n): n is number => n !== undefined)
          .flatMap((n) => [n - 1, n, n + 1, n + 0.5].map(String)),
        ...ODD_NUMBER_TEXT,
      )
    : fc.constantFrom(...ODD_NUMBER_TEXT);
  return fc.oneof(
    { arbitrary: tagged('query:valid', valid.map(percentEncode)), weight: 5 },
    { arbitrary: tagged('query:boundary', boundaries.map(percentEncode)), weight: 2 },
    { arbitrary: tagged('query:odd-text', oddText.map(percentEncode)), weight: 2 },
    {
      arbitrary: tagged(
        'query:huge',
        hugeText.map(percentEncode).filter((s) => s.length < 12_000),
      ),
      weight: 1,
    },
    { arbitrary: tagged('query:percent-junk', rawPercentJunk), weight: 1 },
  );
}

/** Only documented parameters, each left out or given a schema-valid value: a query the route should answer 200. */
function validQueryArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  const perParam = op.queryParams.map((param) => {
    const schema = param.schema ?? {};
    const numeric = schema.type === 'number' || schema.type === 'integer';
    const valid = numeric ? validValue(schema, param.name, ctx).map(String) : stringArbitrary(schema, param.name, ctx);
    return fc.option(
      valid.map((v) => `${param.name}=${percentEncode(v)}`),
      { freq: 2 },
    );
  });
  return fc.tuple(...perParam).map((parts) => {
    const present = parts.filter((p): p is string => p !== null);
    return { value: present.length ? `?${present.join('&')}` : '', tags: ['query:valid-only'] };
  });
}

function queryArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  if (op.queryParams.length === 0) return fuzzedQueryArbitrary(op, ctx);
  return fc.oneof(validQueryArbitrary(op, ctx), fuzzedQueryArbitrary(op, ctx));
}

function fuzzedQueryArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  const perParam = op.queryParams.map((param) =>
    fc.oneof(
      { arbitrary: fc.constant<Tagged<string[]>>({ value: [], tags: [] }), weight: 3 },
      {
        arbitrary: queryValueArbitrary(param, ctx).map((v) => ({ value: [`${param.name}=${v.value}`], tags: v.tags })),
        weight: 4,
      },
      {
        // Repeated: Fastify hands the route an array where the DTO expects a scalar.
        arbitrary: fc
          .array(queryValueArbitrary(param, ctx), { minLength: 2, maxLength: 3 })
          .map((vs) => ({ value: vs.map((v) => `${param.name}=${v.value}`), tags: ['query:repeated'] })),
        weight: 1,
      },
      {
        arbitrary: fc
          .constantFrom(`${param.name}[]=1`, `${param.name}[a]=1`, `${param.name}`, `${param.name}=`)
          .map((p) => ({ value: [p], tags: ['query:shape'] })),
        weight: 1,
      },
    ),
  );
  const extras = fc.oneof(
    { arbitrary: fc.constant<Tagged<string[]>>({ value: [], tags: [] }), weight: 6 },
    {
      arbitrary: fc
        .tuple(extraKey, oddText)
        .map(([k, v]) => ({ value: [`${percentEncode(k)}=${percentEncode(v)}`], tags: ['query:extra'] })),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom('&&&', '=', '==x', '%', '?', ';a=1', '#frag', '__proto__[admin]=1', 'constructor[prototype][x]=1')
        .map((raw) => ({ value: [raw], tags: ['query:raw-junk'] })),
      weight: 1,
    },
  );
  return fc.tuple(fc.tuple(...perParam), extras).map(([params, extra]) => {
    const parts = [...params.flatMap((p) => p.value), ...extra.value];
    return {
      value: parts.length ? `?${parts.join('&')}` : '',
      tags: [...params.flatMap((p) => p.tags), ...extra.tags],
    };
  });
}

function pathArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<Tagged<string>> {
  const params = op.pathParams.map((p) => pathValueArbitrary(p, ctx).map((v) => ({ name: p.name, ...v })));
  return fc.tuple(...params).map((values) => ({
    value: values.reduce((path, v) => path.replace(`{${v.name}}`, v.value), op.path),
    tags: values.flatMap((v) => v.tags),
  }));
}

// ---- headers ----

const CONTENT_TYPES = [
  'text/plain',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/problem+json',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  '',
];

const ODD_HEADER_NAMES = [
  'x-forwarded-for',
  'x-forwarded-host',
  'x-real-ip',
  'forwarded',
  'origin',
  'referer',
  'cookie',
  'accept-language',
  'accept-encoding',
  'content-encoding',
  'if-none-match',
  'range',
  'x-http-method-override',
  'x-original-url',
  'user-agent',
  'traceparent',
  'prefer',
  'x-fuzz',
];

function headersArbitrary(): fc.Arbitrary<Tagged<Record<string, string>>> {
  const accept = fc.oneof(
    { arbitrary: fc.constant<Tagged<[string, string][]>>({ value: [], tags: [] }), weight: 4 },
    {
      arbitrary: fc
        .constantFrom(
          '*/*',
          'application/json',
          'application/problem+json',
          'application/xml',
          'text/html',
          'garbage;;q=x',
          'application/json;q=0',
        )
        .map((v) => ({ value: [['accept', v]] as [string, string][], tags: ['header:accept'] })),
      weight: 1,
    },
  );
  const requestId = fc.oneof(
    { arbitrary: fc.constant<Tagged<[string, string][]>>({ value: [], tags: [] }), weight: 4 },
    {
      arbitrary: fc
        .stringMatching(/^[A-Za-z0-9._-]{1,64}$/)
        .map((v) => ({ value: [['x-request-id', v]] as [string, string][], tags: ['header:request-id'] })),
      weight: 1,
    },
    {
      arbitrary: headerText.map((v) => ({
        value: [['x-request-id', v]] as [string, string][],
        tags: ['header:request-id-junk'],
      })),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(200, 4_000, 12_000, 20_000).map((n) => ({
        value: [['x-request-id', 'r'.repeat(n)]] as [string, string][],
        tags: ['header:request-id-oversized'],
      })),
      weight: 1,
    },
  );
  const odd = fc.oneof(
    { arbitrary: fc.constant<Tagged<[string, string][]>>({ value: [], tags: [] }), weight: 3 },
    {
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom(...ODD_HEADER_NAMES), headerText), { minLength: 1, maxLength: 3 })
        .map((hs) => ({ value: hs, tags: ['header:odd'] })),
      weight: 1,
    },
  );
  return fc
    .tuple(accept, requestId, odd)
    .map((parts) => ({ value: Object.fromEntries(parts.flatMap((p) => p.value)), tags: parts.flatMap((p) => p.tags) }));
}

/**
 * Requests for one operation: its method and path (now and then another method), path parameters valid or not,
 * query parameters per schema or junk, a JSON body valid, mutated or raw, odd headers, and every kind of token.
 */
export function requestArbitrary(op: Operation, ctx: GeneratorContext): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof(
    { arbitrary: fc.constant(op.method), weight: 19 },
    { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), weight: 1 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant<Tagged<string | undefined>>({ value: 'application/json', tags: [] }), weight: 8 },
    {
      arbitrary: fc.constantFrom(...CONTENT_TYPES).map((v) => ({ value: v, tags: ['header:content-type'] })),
      weight: 1,
    },
    { arbitrary: fc.constant({ value: undefined, tags: ['header:no-content-type'] }), weight: 1 },
  );
  return fc
    .record({
      method,
      path: pathArbitrary(op, ctx),
      query: queryArbitrary(op, ctx),
      body: bodyArbitrary(op, ctx),
      contentType,
      headers: headersArbitrary(),
      auth: authArbitrary(ctx.tokens),
    })
    .map((r): FuzzRequest => {
      const headers: Record<string, string> = { ...r.headers.value };
      if (r.auth.value !== undefined) headers.authorization = r.auth.value;
      const sendsBody = r.body.text !== undefined;
      if (r.contentType.value !== undefined && (sendsBody || r.contentType.tags.length > 0))
        headers['content-type'] = r.contentType.value;
      const tags = [
        ...r.auth.tags,
        ...r.path.tags,
        ...r.query.tags,
        ...r.body.tags,
        ...r.contentType.tags,
        ...r.headers.tags,
      ];
      if (r.method !== op.method) tags.push('method:other');
      return {
        method: r.method,
        path: `${r.path.value}${r.query.value}`,
        headers,
        body: r.body.text,
        bodyEncoding: r.body.encoding,
        tags,
      };
    });
}
