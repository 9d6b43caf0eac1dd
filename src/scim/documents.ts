// SCIM resources as Desk writes and reads them (RFC 7643 §4): a User is a provisioned Desk user, a Group a team the
// client manages. Rendering from rows, and reading what clients send (POST, PUT, the result of a PATCH) into checked
// values; attributes Desk does not declare are ignored (Entra sends its default mapping whatever /Schemas says).
import { CORE_SCHEMA, type ScimDocument } from './attributes.ts';
import { InvalidSyntax, InvalidValue } from './errors.ts';
import type { ScimEmail } from './schema.ts';

/** Desk's ids: a member, a user or a group id that is not one names nothing. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const USER_SCHEMA = CORE_SCHEMA.User;
export const GROUP_SCHEMA = CORE_SCHEMA.Group;
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** A provisioned user as the queries read it. */
export interface UserRow extends UserInput {
  id: string;
  created: Date;
  lastModified: Date;
}

/** A managed team as the queries read it. */
export interface GroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  created: Date;
  lastModified: Date;
}

export interface MemberRow {
  userId: string;
  display: string;
}

function withoutNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== ''),
  );
}

export function userDocument(row: UserRow, base: string): ScimDocument {
  const name = withoutNulls({
    givenName: row.givenName,
    familyName: row.familyName,
    formatted: row.formatted,
  });
  return withoutNulls({
    schemas: [USER_SCHEMA],
    id: row.id,
    externalId: row.externalId,
    userName: row.userName,
    name: Object.keys(name).length ? name : null,
    displayName: row.displayName,
    emails: row.emails.length ? row.emails : null,
    active: row.active,
    meta: {
      resourceType: 'User',
      created: row.created.toISOString(),
      lastModified: row.lastModified.toISOString(),
      location: `${base}/Users/${row.id}`,
      version: weakVersion(row.lastModified),
    },
  });
}

/** `members` undefined: not asked for (excludedAttributes=members, as Entra sends), so not loaded. */
export function groupDocument(row: GroupRow, members: MemberRow[] | undefined, base: string): ScimDocument {
  return withoutNulls({
    schemas: [GROUP_SCHEMA],
    id: row.id,
    externalId: row.externalId,
    displayName: row.displayName,
    members: members?.map((m) => ({
      value: m.userId,
      display: m.display,
      type: 'User',
      $ref: `${base}/Users/${m.userId}`,
    })),
    meta: {
      resourceType: 'Group',
      created: row.created.toISOString(),
      lastModified: row.lastModified.toISOString(),
      location: `${base}/Groups/${row.id}`,
      version: weakVersion(row.lastModified),
    },
  });
}

function weakVersion(at: Date): string {
  return `W/"${at.getTime().toString(36)}"`;
}

// ---- reading what clients send ----

/** What Desk stores of a User (RFC 7643 §4.1), checked. */
export interface UserInput {
  userName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
  displayName: string | null;
  emails: ScimEmail[];
  active: boolean;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  members: string[];
}

/** The attributes of a document by lower-cased name, URN-prefixed core attributes folded in (RFC 7643 §2.1). */
function attributesOf(body: unknown, schema: string): Map<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidSyntax('The request body must be a JSON object.');
  const found = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (
      lower === schema.toLowerCase() &&
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value)
    ) {
      for (const [inner, v] of Object.entries(value)) found.set(inner.toLowerCase(), v);
      continue;
    }
    const prefix = `${schema.toLowerCase()}:`;
    found.set(lower.startsWith(prefix) ? lower.slice(prefix.length) : lower, value);
  }
  return found;
}

// Control characters (NUL included) are never stored: they break logs, CSV exports and other apps' displays.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f]/;

function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InvalidValue(`${field} must be a string.`);
  const text = value.trim();
  if (CONTROL.test(text)) throw new InvalidValue(`${field} must not contain control characters.`);
  if (text.length > max) throw new InvalidValue(`${field} must be at most ${max} characters.`);
  return text === '' ? null : text;
}

function requiredText(value: unknown, field: string, max: number): string {
  const text = optionalText(value, field, max);
  if (text === null) throw new InvalidValue(`${field} is required.`);
  return text;
}

/** RFC 7643 booleans; Entra sends "True"/"False" strings. */
export function booleanOf(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  throw new InvalidValue(`${field} must be true or false.`);
}

// An address Desk can mail and a provider can verify: one @, no spaces, a dotted domain without empty labels.
const EMAIL = /^[^\s@]{1,64}@(?:[^\s@.]+\.)+[^\s@.]+$/;

function emailsOf(value: unknown): ScimEmail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidValue('emails must be an array of {value, type, primary}.');
  if (value.length > 20) throw new InvalidValue('emails may hold at most 20 addresses.');
  return value.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new InvalidValue(`emails[${i}] must be an object with a value.`);
    const fields = new Map(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v]));
    const address = requiredText(fields.get('value'), `emails[${i}].value`, 254);
    if (!EMAIL.test(address)) throw new InvalidValue(`emails[${i}].value is not an email address.`);
    const type = optionalText(fields.get('type'), `emails[${i}].type`, 50);
    const display = optionalText(fields.get('display'), `emails[${i}].display`, 254);
    const primary = fields.get('primary');
    return {
      value: address,
      ...(type ? { type } : {}),
      ...(primary !== undefined && primary !== null
        ? { primary: booleanOf(primary, `emails[${i}].primary`) }
        : {}),
      ...(display ? { display } : {}),
    };
  });
}

export function readUser(body: unknown): UserInput {
  const attrs = attributesOf(body, USER_SCHEMA);
  const rawName = attrs.get('name');
  if (rawName !== undefined && rawName !== null && (typeof rawName !== 'object' || Array.isArray(rawName)))
    throw new InvalidValue('name must be an object.');
  const name = new Map(Object.entries((rawName ?? {}) as object).map(([k, v]) => [k.toLowerCase(), v]));
  // Dotted keys at the top level (`name.givenName`), as some clients write them outside PATCH too.
  for (const sub of ['givenname', 'familyname', 'formatted'])
    if (attrs.has(`name.${sub}`)) name.set(sub, attrs.get(`name.${sub}`));
  const emails = emailsOf(attrs.get('emails'));
  if (emails.filter((e) => e.primary).length > 1)
    throw new InvalidValue('emails may have one primary address only (RFC 7643 §2.4).');
  const active = attrs.get('active');
  return {
    userName: requiredText(attrs.get('username'), 'userName', 255),
    externalId: optionalText(attrs.get('externalid'), 'externalId', 255),
    givenName: optionalText(name.get('givenname'), 'name.givenName', 100),
    familyName: optionalText(name.get('familyname'), 'name.familyName', 100),
    formatted: optionalText(name.get('formatted'), 'name.formatted', 255),
    displayName: optionalText(attrs.get('displayname'), 'displayName', 255),
    emails,
    active: active === undefined || active === null ? true : booleanOf(active, 'active'),
  };
}

/** The member ids a document lists (`[{value}]`), in order, without repeats. */
export function memberIdsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidValue('members must be an array of {value}.');
  const ids = value.map((item, i) => {
    const member =
      typeof item === 'object' && item !== null && !Array.isArray(item)
        ? new Map(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v]))
        : undefined;
    const id = member?.get('value');
    if (typeof id !== 'string' || !UUID.test(id.trim()))
      throw new InvalidValue(`members[${i}].value must be the id of a user of this organization.`);
    // Ids compare as the database gives them back: lower case.
    return id.trim().toLowerCase();
  });
  return [...new Set(ids)];
}

export function readGroup(body: unknown): GroupInput {
  const attrs = attributesOf(body, GROUP_SCHEMA);
  return {
    // Desk's team names are at most 100 characters.
    displayName: requiredText(attrs.get('displayname'), 'displayName', 100),
    externalId: optionalText(attrs.get('externalid'), 'externalId', 255),
    members: memberIdsOf(attrs.get('members')),
  };
}

/** The Desk user's email: the primary address, else the work one, else the first (DESIGN.md §9). */
export function deskEmailOf(emails: ScimEmail[]): string | null {
  const chosen =
    emails.find((e) => e.primary) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
  return chosen?.value ?? null;
}

/** The Desk user's display name (at most 100 characters): displayName, else name.formatted, else given + family. */
export function deskNameOf(input: UserInput): string {
  const name =
    input.displayName ?? input.formatted ?? [input.givenName, input.familyName].filter(Boolean).join(' ');
  return (name || input.userName).slice(0, 100);
}
