// The SCIM slice: what other features and app.ts may use of it.
export { scimClientRoutes } from './admin-routes.ts';
export { ScimClientService, TOKEN_PREFIX, tokenDigest } from './clients.ts';
export { ScimGroupService } from './groups.ts';
export { findProvisionedUnlinked, isProvisioned } from './queries.ts';
export { SCIM_PREFIX, scimRoutes } from './routes.ts';
export { type ScimClient, type ScimUser, scimClients, scimUsers } from './schema.ts';
export { type ScimCaller, ScimUserService } from './users.ts';
