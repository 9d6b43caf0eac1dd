-- One password account per email, compared as the staff login compares it (lower(email)): `desk createsuperuser`
-- run twice, or twice at once, made two staff accounts with one email. A database may already hold such pairs. The
-- staff login always took the oldest of them (findPasswordUserByEmail: created_at order), so the password of every
-- later one could never be used: it is cleared (the account itself, its teams and any provider sign-in stay), which
-- keeps every login that works today and lets the index be built. docs/operations.md lists them before an upgrade.
-- The lock holds writes to users from the cleanup until the index exists (a previous release's createsuperuser
-- cannot slip a duplicate in between, which would make the build fail); the index build takes a write lock anyway.
LOCK TABLE "users" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
UPDATE "users" SET "password" = NULL, "updated_at" = now()
WHERE "password" IS NOT NULL AND "id" <> (
  SELECT "first"."id" FROM "users" AS "first"
  WHERE lower("first"."email") = lower("users"."email") AND "first"."password" IS NOT NULL
  ORDER BY "first"."created_at", "first"."id" LIMIT 1);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "users_password_email_key" ON "users" USING btree (lower("email")) WHERE "users"."password" is not null;
