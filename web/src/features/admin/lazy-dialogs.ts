// The dialogs' module loads when a dialog first opens: the back office's pages stay light to load.
import { lazy } from 'react';

const load = () => import('./dialogs.tsx');
export const ConfirmDialog = lazy(() =>
  import('../../ui/confirm-dialog.tsx').then((m) => ({ default: m.ConfirmDialog })),
);
export const NameDialog = lazy(() => load().then((m) => ({ default: m.NameDialog })));
export const OrganizationDialog = lazy(() => load().then((m) => ({ default: m.OrganizationDialog })));
export const MergeDialog = lazy(() => load().then((m) => ({ default: m.MergeDialog })));
export const TokenDialog = lazy(() => load().then((m) => ({ default: m.TokenDialog })));
