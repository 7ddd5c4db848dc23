/**
 * zod 4's own JSON Schema output (z.toJSONSchema) shaped for the contracts: request schemas in
 * `input` mode (what a client may send: defaults make a field optional), response schemas in
 * `output` mode, named schemas (lib/chat/view-schemas.ts) as `$ref`s to components. Integer
 * ranges and code-point limits live in refinements z.toJSONSchema cannot see, so the schemas
 * carry them as metadata (lib/http/integers.ts, lib/chat/text.ts).
 */
import * as z from '../../lib/validation';
import '../../lib/chat/view-schemas';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface SchemaOptions {
  /** OpenAPI 3.1 is JSON Schema 2020-12; AsyncAPI 3.0's default schema format is draft-07. */
  target: 'draft-2020-12' | 'draft-7';
}

const componentUri = (id: string) => `#/components/schemas/${id}`;

/** Drops what a document embedding the schema must not repeat: `$schema`, and `$id` (a component's name is its key). */
function clean(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(clean);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === '$id') continue;
    out[key] = clean(value);
  }
  return out;
}

/**
 * In input mode zod drops a default that follows a transform (`limit`: text to integer), the default
 * being of the output type; our integers are described as integers (lib/http/integers.ts), so it applies.
 */
function restoreDefault({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  const def = zodSchema._zod.def;
  if (def.type === 'default' && jsonSchema.default === undefined && jsonSchema.type === 'integer') jsonSchema.default = (def as z.core.$ZodDefaultDef).defaultValue;
}

/** A request schema: what a client may send. */
export function inputSchema(schema: z.core.$ZodType, options: SchemaOptions): JsonObject {
  return clean(z.toJSONSchema(schema, { io: 'input', target: options.target, unrepresentable: 'throw', override: restoreDefault }) as Json) as JsonObject;
}

/** The named response schemas (zod's global registry, `id`) that `include` keeps, each referring to the others by `$ref`. */
export function componentSchemas(options: SchemaOptions, include: (id: string) => boolean): JsonObject {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { io: 'output', target: options.target, uri: componentUri, unrepresentable: 'throw' });
  const out: JsonObject = {};
  for (const [id, schema] of Object.entries(schemas)) if (include(id)) out[id] = clean(schema as Json);
  return sortedKeys(out);
}

/** The `$ref` to a named schema. */
export function ref(schema: z.core.$ZodType): JsonObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('schema has no id in the global registry (lib/chat/view-schemas.ts names each)');
  return { $ref: componentUri(id) };
}

/** An object with its keys in order: for maps whose order means nothing (components, paths). Schemas keep zod's order, the README's field order. */
export function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]!]));
}

/** The committed form: two-space JSON and a final newline; nothing in it depends on the clock or the machine. */
export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
