// Answers are written by a serializer compiled from each route's zod schema: only what the schema declares leaves Desk.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serializerCompiler } from '../../src/platform/serializer.ts';

const compile = (schema: z.ZodType) => serializerCompiler({ schema, method: 'GET', url: '/test' });
const user = z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() });

describe('the response serializer', () => {
  it('writes the declared properties only, never a field the handler left on its object', () => {
    const write = compile(user);
    const row = { id: crypto.randomUUID(), name: 'Jeanne', email: null, password: 'argon2id$secret' };
    expect(JSON.parse(write(row))).toEqual({ id: row.id, name: 'Jeanne', email: null });
  });

  it('writes nested lists and nullable values as JSON.stringify would', () => {
    const page = z.object({ count: z.int(), next: z.string().nullable(), results: z.array(user) });
    const value = {
      count: 1,
      next: null,
      results: [{ id: crypto.randomUUID(), name: 'Élise "É" \\ ✓', email: 'e@x.fr' }],
    };
    expect(compile(page)(value)).toBe(JSON.stringify(value));
  });

  it('keeps zod for a union, so the right branch decides what is written', () => {
    const either = z.union([
      z.object({ kind: z.literal('a'), a: z.string() }),
      z.object({ kind: z.literal('b') }),
    ]);
    expect(JSON.parse(compile(either)({ kind: 'b', a: 'not declared on b' }))).toEqual({ kind: 'b' });
  });

  it('keeps zod for a schema that transforms on the way out', () => {
    const stamped = z.object({ at: z.date().transform((d) => d.toISOString()) });
    expect(() => compile(stamped)).not.toThrow();
  });

  it('refuses to write an answer missing a required field (a bug is a 500, never a partial answer)', () => {
    expect(() => compile(user)({ id: crypto.randomUUID(), email: null })).toThrow();
  });
});
