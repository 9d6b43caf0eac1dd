// The documents slice: what other features may use of it.
export { type CreateForOwnerDeps, createForOwnerRoute, serverTokenOf } from './create-for-owner.ts';
export { type FilingInput, type NotifyOwner, OwnerFiling, type OwnerNotification } from './filing.ts';
export { documentRoutes } from './routes.ts';
export { DocumentService } from './service.ts';
