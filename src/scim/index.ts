// The SCIM slice: what other features may use of it.
export { findProvisionedUnlinked, isProvisioned } from './queries.ts';
export { type ScimClient, type ScimUser, scimClients, scimUsers } from './schema.ts';
