// Response serialization: the zod schema of each answer compiled once into a fast-json-stringify function (what
// Fastify itself uses with JSON Schemas). It writes only the properties the schema declares, as zod's encoding did,
// at a fraction of the cost: zod's encode then JSON.stringify took ~16% of a 100-row accesses page's CPU.
// A schema that JSON Schema cannot say exactly (transforms, codecs) or that holds a union keeps zod's serializer.
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;
type RouteSchema = Parameters<typeof zodSerializerCompiler>[0];

/** `anyOf: [{type: X…}, {type: "null"}]` (a nullable) as `type: [X, "null"]`: fast-json-stringify's anyOf validates each value. */
function simplify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(simplify);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = simplify(value);
  const anyOf = out.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullIndex = anyOf.findIndex((s) => s.type === 'null' && Object.keys(s).length === 1);
    const other = anyOf[1 - nullIndex];
    if (nullIndex >= 0 && other && typeof other.type === 'string' && !('anyOf' in other)) {
      const { anyOf: _, ...rest } = out;
      return { ...rest, ...other, type: [other.type, 'null'] };
    }
  }
  return out;
}

function comparable(schema: unknown): string {
  return JSON.stringify(schema, (key, value) => (key === 'additionalProperties' ? undefined : value));
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema | undefined {
  try {
    const options = { target: 'draft-07', unrepresentable: 'throw' } as const;
    const input = z.toJSONSchema(schema, { ...options, io: 'input' });
    // Input and output differ where a transform or codec runs: only zod knows how to encode those. (Objects differ
    // by additionalProperties alone: output objects are closed; the serializer writes declared properties only.)
    const output = z.toJSONSchema(schema, { ...options, io: 'output' });
    if (comparable(input) !== comparable(output)) return undefined;
    const simplified = simplify(input) as JsonSchema;
    // Unions make fast-json-stringify validate every value to pick a branch: zod does that better.
    if (/"(anyOf|oneOf|allOf)":/.test(JSON.stringify(simplified))) return undefined;
    return simplified;
  } catch {
    return undefined;
  }
}

export function serializerCompiler(route: RouteSchema): (data: unknown) => string {
  const schema = route.schema;
  const json = schema instanceof z.ZodType ? jsonSchemaOf(schema) : undefined;
  if (!json) return zodSerializerCompiler(route);
  return fastJson(json as unknown as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
}
