// The users slice: what other features may use of it.

export { type SignInContext, type UserHook, UserLifecycle } from './lifecycle.ts';
export { accountAbilities, changesStaffAccounts, leavesNoSuperuser, mayChangeAccount } from './powers.ts';
export {
  findActiveColleagueById,
  findActiveColleaguesByEmail,
  findActiveUserById,
  findActiveUserBySub,
  findPasswordUserByEmail,
  findStaffAccountsByEmail,
  findUserBySub,
  findUsersByEmail,
  hasStaffMember,
  insertUser,
  lockSuperusersWhoMayAct,
  lockUserEmail,
  recordLogin,
  replacePasswordHash,
  updateUser,
  userIdsOfOrganization,
} from './queries.ts';
export { requireUser } from './request-user.ts';
export { meSchema, serializeMe, userRoutes } from './routes.ts';
export type { User } from './schema.ts';
export { users } from './schema.ts';
export { normalize, searchUsers, userSearchRoute } from './search.ts';
export { claimStaffEmail, createSuperuser, StaffEmailTaken } from './staff-accounts.ts';
