// The `attributes` and `excludedAttributes` parameters of every SCIM read (RFC 7644 §3.4.2.5, §3.9): which attributes
// of a rendered document are returned, and whether a route needs to load one at all (a group's 10,000 members).
import {
  ATTRIBUTES,
  type AttributeSpec,
  findAttribute,
  findSubAttribute,
  isCoreSchema,
  keyOf,
  type ScimDocument,
  type ScimKind,
} from './attributes.ts';
import { parsePath } from './filter.ts';

export interface ProjectionOptions {
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}

/** An attribute named in a list, in its declared spelling: `name` or `name.givenName`. */
export interface AttributeName {
  attribute: string;
  subAttribute?: string;
}

/**
 * Reads a comma-separated attribute list (`userName, name.givenName, urn:…:core:2.0:User:emails.value`), names in any
 * case. Names Desk does not declare, names of other schemas and malformed names are left out: RFC 7644 gives no error
 * for them, and a read should not fail because a client asks for an attribute Desk does not keep.
 */
export function parseAttributeList(text: string | undefined, kind: ScimKind): AttributeName[] {
  if (text === undefined) return [];
  const names: AttributeName[] = [];
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    // The bare core schema URN names every attribute of the resource.
    if (isCoreSchema(kind, trimmed)) {
      names.push(...ATTRIBUTES[kind].map((spec) => ({ attribute: spec.name })));
      continue;
    }
    let parsed: ReturnType<typeof parsePath>;
    try {
      parsed = parsePath(trimmed);
    } catch {
      continue;
    }
    const { path } = parsed;
    if (parsed.filter || (path.schema !== undefined && !isCoreSchema(kind, path.schema))) continue;
    if (path.attribute.toLowerCase() === 'schemas' && path.subAttribute === undefined) {
      names.push({ attribute: 'schemas' });
      continue;
    }
    const spec = findAttribute(kind, path.attribute);
    if (!spec) continue;
    if (path.subAttribute === undefined) {
      names.push({ attribute: spec.name });
      continue;
    }
    const sub = findSubAttribute(spec, path.subAttribute);
    if (sub) names.push({ attribute: spec.name, subAttribute: sub.name });
  }
  return names;
}

/** RFC 7643 §7: "returned": "always" attributes (id) come back whatever the parameters say; so do the schemas. */
function isAlwaysReturned(kind: ScimKind, name: string): boolean {
  if (name.toLowerCase() === 'schemas') return true;
  return findAttribute(kind, name)?.returned === 'always';
}

/**
 * The document as the parameters ask (RFC 7644 §3.9): with `attributes`, the always-returned attributes and the
 * listed ones only; with `excludedAttributes`, all but the listed ones (always-returned ones stay). When both are given,
 * `attributes` selects and `excludedAttributes` then removes.
 */
export function project(document: ScimDocument, options: ProjectionOptions, kind: ScimKind): ScimDocument {
  const requested = parseAttributeList(options.attributes, kind);
  const excluded = parseAttributeList(options.excludedAttributes, kind);
  let result: ScimDocument = document;
  if (options.attributes !== undefined && options.attributes.trim() !== '') {
    result = {};
    for (const [key, value] of Object.entries(document)) {
      if (isAlwaysReturned(kind, key)) {
        result[key] = value;
        continue;
      }
      const listed = requested.filter((name) => name.attribute.toLowerCase() === key.toLowerCase());
      if (listed.length === 0) continue;
      if (listed.some((name) => name.subAttribute === undefined)) {
        result[key] = value;
        continue;
      }
      const kept = keepSubAttributes(
        value,
        listed.map((name) => name.subAttribute as string),
      );
      if (kept !== undefined) result[key] = kept;
    }
  } else {
    result = { ...document };
  }
  for (const name of excluded) {
    // RFC 7644 §3.9: excludedAttributes has no effect on attributes returned "always".
    if (isAlwaysReturned(kind, name.attribute)) continue;
    const key = keyOf(result, name.attribute);
    if (key === undefined) continue;
    if (name.subAttribute === undefined) {
      delete result[key];
      continue;
    }
    const kept = dropSubAttribute(result[key], name.subAttribute);
    if (kept === undefined) delete result[key];
    else result[key] = kept;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A complex value (or each element of a multi-valued one) with only `subs`; undefined when nothing is left. */
function keepSubAttributes(value: unknown, subs: string[]): unknown {
  const lower = subs.map((sub) => sub.toLowerCase());
  const keep = (record: Record<string, unknown>) => {
    const kept = Object.fromEntries(
      Object.entries(record).filter(([key]) => lower.includes(key.toLowerCase())),
    );
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  if (Array.isArray(value)) {
    const elements = value.filter(isRecord).flatMap((element) => keep(element) ?? []);
    return elements.length > 0 ? elements : undefined;
  }
  return isRecord(value) ? keep(value) : undefined;
}

/** A complex value (or each element of a multi-valued one) without `sub`; undefined when nothing is left. */
function dropSubAttribute(value: unknown, sub: string): unknown {
  const drop = (record: Record<string, unknown>) => {
    const kept = Object.fromEntries(
      Object.entries(record).filter(([key]) => key.toLowerCase() !== sub.toLowerCase()),
    );
    return Object.keys(kept).length > 0 ? kept : undefined;
  };
  if (Array.isArray(value)) {
    const elements = value.filter(isRecord).flatMap((element) => drop(element) ?? []);
    return elements.length > 0 ? elements : undefined;
  }
  return isRecord(value) ? drop(value) : value;
}

/**
 * Whether the document answering these parameters contains `attribute` (any of its sub-attributes): a route asks
 * `wants(query, 'Group', 'members')` before loading members, since Entra ID sends `excludedAttributes=members` on
 * every group read.
 */
export function wants(options: ProjectionOptions, kind: ScimKind, attribute: string): boolean {
  const spec: AttributeSpec | undefined = findAttribute(kind, attribute);
  const name = spec?.name ?? attribute;
  if (isAlwaysReturned(kind, name)) return true;
  const same = (listed: AttributeName) => listed.attribute.toLowerCase() === name.toLowerCase();
  if (options.attributes !== undefined && options.attributes.trim() !== '') {
    if (!parseAttributeList(options.attributes, kind).some(same)) return false;
  }
  return !parseAttributeList(options.excludedAttributes, kind).some(
    (listed) => same(listed) && listed.subAttribute === undefined,
  );
}
