// Desk as an OAuth 2.0 resource server: keys, introspection, and the API for the suite's other apps.
export { Introspector } from './introspection.ts';
export { type DecryptionKey, loadDecryptionKeys } from './keys.ts';
export { RS_PREFIX, resourceServerRoutes } from './routes.ts';
export { ResourceServerService } from './service.ts';
