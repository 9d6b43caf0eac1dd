// The teams slice: what other features may use of it.
export {
  accessAbilities,
  isLastOwner,
  type ManagedBy,
  managedMessage,
  mayGrant,
  ROLE_RANK,
  teamAbilities,
} from './abilities.ts';
export {
  accessIdsOf,
  depthOf,
  insertAccess,
  insertTeam,
  lockManagedBy,
  lockTree,
  managedByOf,
  renameTeam,
  roleIn,
  seenBy,
  type TeamWithRole,
  teamOf,
  userAccess,
  visibleColumns,
  visibleTeamIds,
} from './queries.ts';
export { accessSchema, serializeAccess, serializeTeam, teamRoutes, teamSchema } from './routes.ts';
export {
  ROLES,
  type Role,
  serviceProviders,
  type Team,
  teamAccesses,
  teamServiceProviders,
  teams,
} from './schema.ts';
export { TeamService } from './service.ts';
