import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const schemas: Record<string, SchemaObject> = {};

/**
 * A schema stated in JSON Schema itself rather than by a DTO class (e.g. a discriminated `oneOf`), added to the
 * API document's components under `name`; returns the reference to use in decorators.
 */
export function openApiSchema(name: string, schema: SchemaObject): { $ref: string } {
  schemas[name] = schema;
  return { $ref: `#/components/schemas/${name}` };
}

/** Every schema registered with `openApiSchema`, for the document's components. */
export function registeredSchemas(): Readonly<Record<string, SchemaObject>> {
  return schemas;
}
