// The audit slice: what other features may use of it.
export { AUDIT_CAP, addressGroup, recordCapped } from './capped.ts';
export { AUDIT_PRUNE_JOB, auditPruneJobHandler, pruneAuditLog, scheduleAuditPrune } from './prune.ts';
export {
  type AuditContext,
  type AuditEvent,
  type AuditEventName,
  type AuditParty,
  recordAudit,
  recordAudits,
  requestOrigin,
  requestParty,
  SYSTEM,
  userParty,
} from './record.ts';
export { auditRoutes } from './routes.ts';
export { type AuditRow, auditEvents } from './schema.ts';
