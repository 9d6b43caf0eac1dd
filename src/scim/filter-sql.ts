// Compiles a parsed SCIM filter (RFC 7644 §3.4.2.2) into a parameterised SQL condition on Users or Groups: values are
// only ever bound parameters, and column expressions come only from the fixed attribute maps below.

import { type SQL, sql } from 'drizzle-orm';
import { escapeLike } from '../platform/database.ts';
import { teamAccesses, teams } from '../teams/index.ts';
import { users } from '../users/index.ts';
import { CORE_SCHEMA } from './attributes.ts';
import { InvalidFilter } from './errors.ts';
import type { AttrPath, CompareOp, FilterNode, FilterValue } from './filter-ast.ts';
import { scimUsers } from './schema.ts';

/** What a value is compared as. */
export type ScalarKind = 'string' | 'uuid' | 'boolean' | 'timestamp';

/** One value per row (or per element of a multi-valued attribute): a column or an expression on the element. */
export interface ScalarAttribute {
  type: 'scalar';
  expression: SQL;
  kind: ScalarKind;
  /** RFC 7643 §2.2 caseExact: false compares lower(expression) with lower(value). */
  caseExact: boolean;
}

/** A multi-valued attribute (RFC 7643 §2.4): a filter on it holds when one element satisfies it. */
export interface MultiValuedAttribute {
  type: 'multi';
  /** `exists (select 1 from <elements> where <condition>)`. */
  exists(condition: SQL): SQL;
  /** Sub-attributes, lower-cased names, as expressions on the element. */
  subAttributes: Readonly<Record<string, ScalarAttribute>>;
  /** RFC 7644 §3.4.2.2: a filter on the attribute itself (`emails co "x"`) reads this sub-attribute. */
  primarySub: string;
}

export type ScimAttribute = ScalarAttribute | MultiValuedAttribute;

/** A resource's filterable attributes: keys are lower-cased (`username`, `name.givenname`, `emails`). */
export interface AttributeMap {
  /** The core schema URN a client may prefix names with. */
  schema: string;
  attributes: Readonly<Record<string, ScimAttribute>>;
}

function scalar(expression: SQL, kind: ScalarKind, caseExact = false): ScalarAttribute {
  return { type: 'scalar', expression, kind, caseExact };
}

// The element alias of jsonb_array_elements(scim_users.emails): a fixed identifier, never client text.
const email = (field: string): SQL => sql`(scim_email.value ->> ${sql.raw(`'${field}'`)})`;

/**
 * Users: rows of `scim_users join users on users.id = scim_users.user_id`. RFC 7643 §4.1: userName is caseExact false,
 * externalId (§3.1) is caseExact true, emails.value and emails.type are caseExact false.
 */
export const USER_ATTRIBUTES: AttributeMap = {
  schema: CORE_SCHEMA.User,
  attributes: {
    id: scalar(sql`${users.id}`, 'uuid'),
    username: scalar(sql`${scimUsers.userName}`, 'string'),
    externalid: scalar(sql`${scimUsers.externalId}`, 'string', true),
    displayname: scalar(sql`${scimUsers.displayName}`, 'string'),
    'name.givenname': scalar(sql`${scimUsers.givenName}`, 'string'),
    'name.familyname': scalar(sql`${scimUsers.familyName}`, 'string'),
    'name.formatted': scalar(sql`${scimUsers.formatted}`, 'string'),
    active: scalar(sql`${users.isActive}`, 'boolean'),
    'meta.created': scalar(sql`${scimUsers.createdAt}`, 'timestamp'),
    'meta.lastmodified': scalar(sql`${scimUsers.updatedAt}`, 'timestamp'),
    emails: {
      type: 'multi',
      exists: (condition) =>
        sql`exists (select 1 from jsonb_array_elements(${scimUsers.emails}) as scim_email(value) where ${condition})`,
      subAttributes: {
        value: scalar(email('value'), 'string'),
        type: scalar(email('type'), 'string'),
        display: scalar(email('display'), 'string'),
        // A client may have stored "True" as text: read it as a boolean, and anything else as no value.
        primary: scalar(
          sql`(case when lower(${email('primary')}) in ('true', 'false') then ${email('primary')}::boolean end)`,
          'boolean',
        ),
      },
      primarySub: 'value',
    },
  },
};

/** Groups: rows of `teams`. RFC 7643 §4.2: displayName is caseExact false; members.value is a user's id. */
export const GROUP_ATTRIBUTES: AttributeMap = {
  schema: CORE_SCHEMA.Group,
  attributes: {
    id: scalar(sql`${teams.id}`, 'uuid'),
    displayname: scalar(sql`${teams.name}`, 'string'),
    externalid: scalar(sql`${teams.scimExternalId}`, 'string', true),
    'meta.created': scalar(sql`${teams.createdAt}`, 'timestamp'),
    'meta.lastmodified': scalar(sql`${teams.updatedAt}`, 'timestamp'),
    members: {
      type: 'multi',
      exists: (condition) =>
        sql`exists (select 1 from ${teamAccesses} where ${teamAccesses.teamId} = ${teams.id} and ${condition})`,
      subAttributes: { value: scalar(sql`${teamAccesses.userId}`, 'uuid') },
      primarySub: 'value',
    },
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// RFC 7643 §2.3.5: xsd:dateTime; Postgres is given the client's own text, so it must be one Postgres reads too.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/i;

function pathName(path: AttrPath): string {
  const name = path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
  return path.schema ? `${path.schema}:${name}` : name;
}

function unknown(path: AttrPath): never {
  throw new InvalidFilter(`Invalid filter: unknown attribute "${pathName(path)}".`);
}

/** A key of a plain object, never one inherited from Object.prototype (`constructor eq "x"` names nothing). */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The attribute a path names, and the sub-attribute when it names one of a multi-valued attribute. */
function resolve(map: AttributeMap, path: AttrPath): { attribute: ScimAttribute; sub?: string } {
  // RFC 7644 §3.10: the core schema URN may prefix a name; any other schema (an extension) is one Desk does not keep.
  if (path.schema && path.schema.toLowerCase() !== map.schema.toLowerCase()) unknown(path);
  const attribute = path.attribute.toLowerCase();
  const sub = path.subAttribute?.toLowerCase();
  const whole = own(map.attributes, sub ? `${attribute}.${sub}` : attribute);
  if (whole) return { attribute: whole };
  const parent = own(map.attributes, attribute);
  if (sub && parent?.type === 'multi' && own(parent.subAttributes, sub)) return { attribute: parent, sub };
  return unknown(path);
}

function invalid(path: AttrPath, why: string): never {
  throw new InvalidFilter(`Invalid filter: ${why} on "${pathName(path)}".`);
}

function presentScalar(attribute: ScalarAttribute): SQL {
  // RFC 7644 §3.4.2.2: pr holds when the attribute has a non-empty value.
  return attribute.kind === 'string'
    ? sql`(${attribute.expression} is not null and ${attribute.expression} <> '')`
    : sql`(${attribute.expression} is not null)`;
}

function booleanValue(path: AttrPath, value: FilterValue): boolean {
  if (typeof value === 'boolean') return value;
  // Entra ID sends booleans as strings: `active eq "True"`.
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return invalid(path, `${JSON.stringify(value)} is not a boolean`);
}

function timestampValue(path: AttrPath, value: FilterValue): string {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (!match || typeof value !== 'string')
    return invalid(path, `${JSON.stringify(value)} is not a date and time`);
  const [year, month, day, hour = '0', minute = '0', second = '0', offsetHour = '0', offsetMinute = '0'] =
    match.slice(1).map((part) => part ?? '0');
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const real =
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60 &&
    // PostgreSQL takes offsets up to ±15:59.
    Number(offsetHour) <= 15 &&
    Number(offsetMinute) < 60;
  if (!real) return invalid(path, `${JSON.stringify(value)} is not a date and time`);
  return value;
}

const ORDER: Readonly<Record<'gt' | 'ge' | 'lt' | 'le', SQL>> = {
  gt: sql.raw('>'),
  ge: sql.raw('>='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
};

/**
 * RFC 7644 §3.4.2.2 on one value. Decisions the RFC leaves open:
 * - `ne` also holds when the attribute has no value: a missing value is not equal to the one asked for.
 * - `eq null` holds when the attribute is not present (RFC 7644 §3.4.2.2 treats null as unassigned), `ne null` when it
 *   is; other operators with null are refused.
 */
function compareScalar(attribute: ScalarAttribute, path: AttrPath, op: CompareOp, value: FilterValue): SQL {
  if (value === null) {
    if (op === 'eq') return sql`(not ${presentScalar(attribute)})`;
    if (op === 'ne') return presentScalar(attribute);
    return invalid(path, `"${op}" with null`);
  }
  const column = attribute.expression;
  switch (attribute.kind) {
    case 'boolean': {
      if (op !== 'eq' && op !== 'ne') return invalid(path, `"${op}" on a boolean`);
      const wanted = booleanValue(path, value);
      const bound = sql`${wanted}::boolean`;
      return op === 'eq' ? sql`${column} = ${bound}` : sql`${column} is distinct from ${bound}`;
    }
    case 'timestamp': {
      if (op === 'co' || op === 'sw' || op === 'ew') return invalid(path, `"${op}" on a date`);
      // Bound as text so Postgres reads the client's own text (postgres.js would round a timestamptz through a JS Date).
      const bound = sql`${timestampValue(path, value)}::text::timestamptz`;
      if (op === 'eq') return sql`${column} = ${bound}`;
      if (op === 'ne') return sql`${column} is distinct from ${bound}`;
      return sql`${column} ${ORDER[op]} ${bound}`;
    }
    case 'uuid': {
      const text = String(value);
      // A value that is not a uuid matches no id, rather than making Postgres fail on the cast.
      if (op === 'eq') return UUID.test(text) ? sql`${column} = ${text}::uuid` : sql`false`;
      if (op === 'ne') return UUID.test(text) ? sql`${column} is distinct from ${text}::uuid` : sql`true`;
      return compareText(sql`${column}::text`, false, op, text);
    }
    case 'string':
      // Unquoted numbers and booleans (`externalId eq 1234`) are the text the client typed.
      return compareText(column, attribute.caseExact, op, String(value));
  }
}

function compareText(column: SQL, caseExact: boolean, op: CompareOp, value: string): SQL {
  const left = caseExact ? column : sql`lower(${column})`;
  const right = (bound: string): SQL => (caseExact ? sql`${bound}` : sql`lower(${bound})`);
  switch (op) {
    case 'eq':
      return sql`${left} = ${right(value)}`;
    case 'ne':
      return sql`${left} is distinct from ${right(value)}`;
    case 'co':
    case 'sw':
    case 'ew': {
      // The value is literal: its %, _ and \ are escaped, and the pattern is a bound parameter.
      const escaped = escapeLike(value);
      const pattern = op === 'sw' ? `${escaped}%` : op === 'ew' ? `%${escaped}` : `%${escaped}%`;
      return sql`${left} like ${right(pattern)} escape '\\'`;
    }
    default:
      // RFC 7644 §3.4.2.2: strings compare lexicographically; the C collation makes it the same on every database.
      return sql`${left} collate "C" ${ORDER[op]} ${right(value)} collate "C"`;
  }
}

function compile(map: AttributeMap, node: FilterNode): SQL {
  switch (node.kind) {
    case 'and':
      return sql`(${compile(map, node.left)} and ${compile(map, node.right)})`;
    case 'or':
      return sql`(${compile(map, node.left)} or ${compile(map, node.right)})`;
    case 'not':
      // Conditions on a missing value are null (kept bare so indexes serve them): `not` must read null as false.
      return sql`(not coalesce(${compile(map, node.filter)}, false))`;
    case 'present': {
      const { attribute, sub } = resolve(map, node.path);
      if (attribute.type === 'scalar') return presentScalar(attribute);
      // RFC 7644 §3.4.2.2: a multi-valued attribute is present when it has an element (with a non-empty sub-attribute).
      if (!sub) return attribute.exists(sql`true`);
      return attribute.exists(presentScalar(subAttribute(attribute, sub)));
    }
    case 'compare': {
      const { attribute, sub } = resolve(map, node.path);
      if (attribute.type === 'scalar') return compareScalar(attribute, node.path, node.op, node.value);
      return compareElements(attribute, sub ?? attribute.primarySub, node.path, node.op, node.value);
    }
    case 'valuePath': {
      const name = node.path.attribute.toLowerCase();
      const complex =
        !node.path.subAttribute &&
        !own(map.attributes, name) &&
        Object.keys(map.attributes).some((key) => key.startsWith(`${name}.`));
      // A complex single-valued attribute (`name[givenName eq "x"]`) reads as its sub-attributes.
      if (complex) return compile(map, prefixed(node.path, node.filter));
      const { attribute, sub } = resolve(map, node.path);
      if (sub) return invalid(node.path, 'a value filter');
      if (attribute.type === 'scalar') return invalid(node.path, 'a value filter');
      // RFC 7644 §3.4.2.2: every condition inside the brackets holds for the same element.
      return attribute.exists(compileElement(attribute, node.path, node.filter));
    }
  }
}

function subAttribute(attribute: MultiValuedAttribute, sub: string): ScalarAttribute {
  return attribute.subAttributes[sub] as ScalarAttribute;
}

function compareElements(
  attribute: MultiValuedAttribute,
  sub: string,
  path: AttrPath,
  op: CompareOp,
  value: FilterValue,
): SQL {
  const element = subAttribute(attribute, sub);
  // `emails eq null`: no element has a value; `emails.value ne null`: one has.
  if (value === null && op === 'eq') return sql`(not ${attribute.exists(presentScalar(element))})`;
  if (value === null && op === 'ne') return attribute.exists(presentScalar(element));
  return attribute.exists(compareScalar(element, path, op, value));
}

/** The filter inside `emails[…]`: its names are sub-attributes of one element. */
function compileElement(attribute: MultiValuedAttribute, parent: AttrPath, node: FilterNode): SQL {
  switch (node.kind) {
    case 'and':
      return sql`(${compileElement(attribute, parent, node.left)} and ${compileElement(attribute, parent, node.right)})`;
    case 'or':
      return sql`(${compileElement(attribute, parent, node.left)} or ${compileElement(attribute, parent, node.right)})`;
    case 'not':
      return sql`(not coalesce(${compileElement(attribute, parent, node.filter)}, false))`;
    case 'valuePath':
      return invalid(parent, 'a value filter inside a value filter');
    case 'present':
    case 'compare': {
      const path = { attribute: parent.attribute, subAttribute: node.path.attribute };
      const element =
        node.path.schema || node.path.subAttribute ? undefined : elementOf(attribute, node.path);
      if (!element) return unknown({ ...path, subAttribute: pathName(node.path) });
      if (node.kind === 'present') return presentScalar(element);
      // Inside brackets, `eq null` / `ne null` on one element read as that element's sub-attribute missing or not.
      if (node.value === null && (node.op === 'eq' || node.op === 'ne')) {
        return node.op === 'eq' ? sql`(not ${presentScalar(element)})` : presentScalar(element);
      }
      return compareScalar(element, path, node.op, node.value);
    }
  }
}

function elementOf(attribute: MultiValuedAttribute, path: AttrPath): ScalarAttribute | undefined {
  return attribute.subAttributes[path.attribute.toLowerCase()];
}

/** `name[givenName eq "x"]` → `name.givenName eq "x"`. */
function prefixed(parent: AttrPath, node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: prefixed(parent, node.left), right: prefixed(parent, node.right) };
    case 'not':
      return { ...node, filter: prefixed(parent, node.filter) };
    case 'valuePath':
      return invalid(parent, 'a value filter inside a value filter');
    case 'present':
    case 'compare': {
      if (node.path.schema || node.path.subAttribute)
        unknown({ ...parent, subAttribute: pathName(node.path) });
      return { ...node, path: { ...parent, subAttribute: node.path.attribute } };
    }
  }
}

/**
 * The condition a Users filter puts on `scim_users join users on users.id = scim_users.user_id`. Isolation is the
 * caller's: it adds `where scim_users.organization_id = $org and (<this>)`. Throws InvalidFilter for unknown attributes
 * and operators or values an attribute cannot take.
 */
export function userFilterSql(node: FilterNode): SQL {
  return compile(USER_ATTRIBUTES, node);
}

/**
 * The condition a Groups filter puts on `teams`. Isolation is the caller's: it adds the organization and
 * `teams.scim_client_id is not null` (or whatever makes a team a group) around `(<this>)`.
 */
export function groupFilterSql(node: FilterNode): SQL {
  return compile(GROUP_ATTRIBUTES, node);
}
