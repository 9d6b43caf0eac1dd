-- At most one queued audit prune: pods starting together each queue one (`insert ... on conflict do nothing`), and
-- `insert ... where not exists` under READ COMMITTED let two in. Duplicates queued before this index are dropped
-- first (the earliest run stays), so the index can be built. Pods of the previous release keep queuing prunes while
-- this runs (rolling upgrade): the lock holds their writes to jobs until the index exists, so none slips in between
-- the delete and the index build (which would then fail). The index then refuses their duplicates (23505).
LOCK TABLE "jobs" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
DELETE FROM "jobs" WHERE "kind" = 'audit.prune' AND "status" = 'pending' AND "id" <> (
  SELECT "id" FROM "jobs" WHERE "kind" = 'audit.prune' AND "status" = 'pending' ORDER BY "run_at", "id" LIMIT 1);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "jobs_one_pending_audit_prune_idx" ON "jobs" USING btree ("kind") WHERE "jobs"."kind" = 'audit.prune' and "jobs"."status" = 'pending';
