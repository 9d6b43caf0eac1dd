// The SCIM slice: what other features and app.ts may use of it.
export { scimClientRoutes } from './admin-routes.ts';
export { ScimClientService, TOKEN_PREFIX, tokenDigest } from './clients.ts';
export { type ScimClient, type ScimUser, scimClients, scimUsers } from './schema.ts';
