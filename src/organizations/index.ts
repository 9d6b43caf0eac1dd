// The organizations slice: what other features may use of it.
export {
  assignOrganizationsByDomain,
  type OrganizationView,
  organizationById,
  organizationsOfEmailDomain,
} from './queries.ts';
export {
  namesFromRegistry,
  ORGANIZATION_NAME_JOB,
  organizationNameJobHandler,
  queueUnnamedOrganizations,
} from './registry.ts';
export {
  adminOrganizationRoutes,
  organizationRoutes,
  organizationSchema,
  serializeOrganization,
} from './routes.ts';
export { organizations } from './schema.ts';
export {
  domainOf,
  OrganizationService,
  organizationAtSignIn,
  organizationNameFrom,
  registrationIdFrom,
} from './service.ts';
