/**
 * Converts the component schemas of an OpenAPI 3.0 document (already parsed from YAML) into one
 * JSON Schema (draft-07) document that ajv can compile, so responses can be validated against
 * the official MediaMTX API definition:
 *   - `nullable: true` allows null (also on $ref/allOf schemas and enums);
 *   - `$ref: '#/components/schemas/X'` points to `#/definitions/X`;
 *   - integer formats (uint64, int64, ...) and float formats are dropped, uint* adds `minimum: 0`;
 *     other formats (uuid, date-time) stay for ajv-formats;
 *   - `oneOf` becomes `anyOf`: the spec's alternatives overlap (H264/H265 props are identical);
 *   - annotations JSON Schema draft-07 does not know (deprecated, example, ...) are removed;
 *   - `strict` sets `additionalProperties: false` on every schema that lists properties, so a
 *     field the spec does not define fails validation.
 */

export type JsonSchema = Record<string, unknown>;

export interface ConvertOptions {
  strict: boolean;
}

const DROPPED_KEYS = new Set(['deprecated', 'example', 'examples', 'externalDocs', 'xml', 'discriminator', 'nullable']);
const DROPPED_FORMATS = new Set(['int32', 'int64', 'uint32', 'uint64', 'uint', 'int', 'double', 'float']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function convertSchema(schema: unknown, opts: ConvertOptions): unknown {
  if (Array.isArray(schema)) return schema.map((s) => convertSchema(s, opts));
  if (!isObject(schema)) return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', '#/definitions/');
    else if (key === 'format' && typeof value === 'string' && DROPPED_FORMATS.has(value)) {
      if (value.startsWith('uint')) out.minimum = 0;
    } else if (key === 'oneOf') out.anyOf = convertSchema(value, opts);
    else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, convertSchema(s, opts)]));
    } else out[key] = convertSchema(value, opts);
  }
  if (opts.strict && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (out.$ref !== undefined || out.allOf !== undefined || out.anyOf !== undefined) {
    return { anyOf: [out, { type: 'null' }] };
  }
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/**
 * One JSON Schema document holding every component schema under `definitions`, with `$id`; refer
 * to a component as `${id}#/definitions/<Name>` (see componentRef).
 */
export function componentsToJsonSchema(doc: unknown, opts: ConvertOptions, id = 'mediamtx-api'): JsonSchema {
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
  if (!isObject(schemas)) throw new Error('the document has no components.schemas');
  const definitions: JsonSchema = {};
  for (const [name, schema] of Object.entries(schemas)) definitions[name] = convertSchema(schema, opts);
  return { $id: id, definitions };
}

export function componentRef(name: string, id = 'mediamtx-api'): JsonSchema {
  return { $ref: `${id}#/definitions/${name}` };
}
