// The invitations slice: what other features may use of it.
export {
  accessCreatedSchema,
  EXISTING_USER_DETAIL,
  invitationBody,
  invitationRoutes,
  invitationSchema,
  serializeInvitation,
} from './routes.ts';
export { type Invitation, invitations } from './schema.ts';
export { type InvitationCreated, type InvitationOutcome, InvitationService } from './service.ts';
