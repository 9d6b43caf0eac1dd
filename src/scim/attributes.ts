// The attributes Desk declares for SCIM Users and Groups with their RFC 7643 §7 characteristics: what PATCH may
// write, what projection returns, and what the /Schemas documents say.

export type ScimKind = 'User' | 'Group';

/** A SCIM resource as Desk renders it (JSON). */
export type ScimDocument = Record<string, unknown>;

export const CORE_SCHEMA: Record<ScimKind, string> = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
};

export interface AttributeSpec {
  /** The canonical spelling, as Desk renders it (names compare case-insensitively, RFC 7643 §2.1). */
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default' | 'never' | 'request';
  subAttributes?: AttributeSpec[];
}

function attribute(
  name: string,
  type: AttributeSpec['type'],
  options: Partial<Omit<AttributeSpec, 'name' | 'type'>> = {},
): AttributeSpec {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    ...options,
  };
}

// RFC 7643 §3.1: id is read-only, always returned and case-exact; externalId is case-exact.
const id = attribute('id', 'string', { mutability: 'readOnly', returned: 'always', caseExact: true });
const externalId = attribute('externalId', 'string', { caseExact: true });
const meta = attribute('meta', 'complex', {
  mutability: 'readOnly',
  subAttributes: [
    attribute('resourceType', 'string', { mutability: 'readOnly', caseExact: true }),
    attribute('created', 'dateTime', { mutability: 'readOnly' }),
    attribute('lastModified', 'dateTime', { mutability: 'readOnly' }),
    attribute('location', 'reference', { mutability: 'readOnly', caseExact: true }),
  ],
});

export const ATTRIBUTES: Record<ScimKind, AttributeSpec[]> = {
  User: [
    id,
    externalId,
    attribute('userName', 'string', { required: true }),
    attribute('name', 'complex', {
      subAttributes: [
        attribute('givenName', 'string'),
        attribute('familyName', 'string'),
        attribute('formatted', 'string'),
      ],
    }),
    attribute('displayName', 'string'),
    attribute('emails', 'complex', {
      multiValued: true,
      subAttributes: [
        attribute('value', 'string'),
        attribute('type', 'string'),
        attribute('primary', 'boolean'),
        attribute('display', 'string'),
      ],
    }),
    attribute('active', 'boolean'),
    // RFC 7643 §4.1.2: a user's groups are read-only, changed through the Group resource.
    attribute('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        attribute('value', 'string', { mutability: 'readOnly' }),
        attribute('$ref', 'reference', { mutability: 'readOnly', caseExact: true }),
        attribute('display', 'string', { mutability: 'readOnly' }),
        attribute('type', 'string', { mutability: 'readOnly' }),
      ],
    }),
    meta,
  ],
  Group: [
    id,
    externalId,
    attribute('displayName', 'string', { required: true }),
    attribute('members', 'complex', {
      multiValued: true,
      subAttributes: [
        // RFC 7643 §8.7.1: a member's value (the user's id) is immutable.
        attribute('value', 'string', { mutability: 'immutable', caseExact: true }),
        // Desk renders a member's display from the user's name and stores none: not writable by the client.
        attribute('display', 'string', { mutability: 'readOnly' }),
        attribute('type', 'string', { mutability: 'immutable' }),
        attribute('$ref', 'reference', { mutability: 'immutable', caseExact: true }),
      ],
    }),
    meta,
  ],
};

function byName(specs: AttributeSpec[] | undefined, name: string): AttributeSpec | undefined {
  const lower = name.toLowerCase();
  return specs?.find((spec) => spec.name.toLowerCase() === lower);
}

/** The declared attribute `name` (any case) of `kind`, or undefined when Desk does not declare it. */
export function findAttribute(kind: ScimKind, name: string): AttributeSpec | undefined {
  return byName(ATTRIBUTES[kind], name);
}

/** The declared sub-attribute `name` (any case) of a complex attribute. */
export function findSubAttribute(spec: AttributeSpec, name: string): AttributeSpec | undefined {
  return byName(spec.subAttributes, name);
}

/** Whether `schema` (a URN prefix the client wrote) is the core schema of `kind`; URNs compare case-insensitively. */
export function isCoreSchema(kind: ScimKind, schema: string): boolean {
  return schema.toLowerCase() === CORE_SCHEMA[kind].toLowerCase();
}

/** The key of `record` that spells `name` in any case. */
export function keyOf(record: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(record).find((key) => key.toLowerCase() === lower);
}
