// What a client learns before provisioning (RFC 7644 §4, RFC 7643 §5-§7): the features Desk offers, its two
// resource types and their schemas — declaring exactly the attributes Desk stores, so a client that writes every
// declared attribute succeeds.
import { ATTRIBUTES, type AttributeSpec, type ScimKind } from './attributes.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from './documents.ts';

const CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The most resources one list page returns (RFC 7644 §3.4.2.4 lets the provider cap `count`). */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export function serviceProviderConfig(base: string) {
  return {
    schemas: [CONFIG_SCHEMA],
    documentationUri: 'https://github.com/suitenumerique/people',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: "A token staff create for the organization's SCIM client in Desk's back office.",
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

// Common attributes (id, meta) are not part of a resource's schema (RFC 7643 §3.1); a user's groups are not rendered.
const SCHEMA_LEAVES_OUT = new Set(['id', 'meta', 'groups']);

function attribute(spec: AttributeSpec): Record<string, unknown> {
  return {
    name: spec.name,
    type: spec.type,
    multiValued: spec.multiValued,
    description: '',
    required: spec.required,
    caseExact: spec.caseExact,
    mutability: spec.mutability,
    returned: spec.returned,
    uniqueness: spec.name === 'userName' ? 'server' : 'none',
    ...(spec.type === 'reference' ? { referenceTypes: ['User'] } : {}),
    ...(spec.subAttributes ? { subAttributes: spec.subAttributes.map(attribute) } : {}),
  };
}

function declared(kind: ScimKind) {
  return ATTRIBUTES[kind].filter((a) => !SCHEMA_LEAVES_OUT.has(a.name)).map(attribute);
}

export function schemas(base: string) {
  return [
    {
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      description: 'An agent of the organization',
      attributes: declared('User'),
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: 'A team of the organization whose members the directory manages',
      attributes: declared('Group'),
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}
