/** The part of an OpenAPI 3 document the fuzzer reads: operations, their parameters and JSON request bodies. */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  /** `GET /api/v1/patterns/{id}`: how the summary and the findings name it. */
  id: string;
  method: string;
  /** The path template, `{name}` for each path parameter. */
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** The JSON request body's schema, `$ref`s and `allOf`s resolved; undefined when the operation takes none. */
  body?: Schema;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/**
 * Inlines `$ref`, single-member `allOf` (how @nestjs/swagger describes a nested DTO) and each choice of a `oneOf`,
 * `depth` levels deep.
 */
export function resolveSchema(doc: OpenApiDocument, schema: Schema, depth = 8): Schema {
  if (depth === 0) return {};
  let current = schema;
  if (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`The document refers to a missing schema ${current.$ref}`);
    current = { ...target, ...withoutKeys(current, ['$ref']) };
  }
  if (current.allOf) {
    current = current.allOf.reduce<Schema>(
      (merged, part) => ({ ...merged, ...resolveSchema(doc, part, depth - 1) }),
      withoutKeys(current, ['allOf']),
    );
  }
  const resolved: Schema = { ...current };
  if (current.oneOf) resolved.oneOf = current.oneOf.map((choice) => resolveSchema(doc, choice, depth - 1));
  if (current.items) resolved.items = resolveSchema(doc, current.items, depth - 1);
  if (current.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(current.properties).map(([key, value]) => [key, resolveSchema(doc, value, depth - 1)]),
    );
  }
  return resolved;
}

function withoutKeys(schema: Schema, keys: (keyof Schema)[]): Schema {
  const copy = { ...schema };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Every operation of the document, in document order. */
export function listOperations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]): Operation => {
        const parameters = op.parameters ?? [];
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        return {
          id: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path'),
          queryParams: parameters.filter((p) => p.in === 'query'),
          body: bodySchema ? resolveSchema(doc, bodySchema) : undefined,
        };
      }),
  );
}
