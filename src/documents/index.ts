// The documents slice: what other features may use of it.
export {
  type CreateForOwnerDeps,
  createForOwnerRoute,
  type NotifyOwner,
  type OwnerNotification,
  serverTokenOf,
} from './create-for-owner.ts';
export { documentRoutes } from './routes.ts';
export { DocumentService } from './service.ts';
