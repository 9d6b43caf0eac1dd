-- The import from people (DESIGN.md §10): teams keep people's external_id (the resource server's SCIM groups) and tree
-- (parent), and the rows the import made are remembered so that a later run deletes only those.
CREATE TABLE "imported_rows" (
	"table_name" varchar(63) NOT NULL,
	"id" uuid NOT NULL,
	CONSTRAINT "imported_rows_table_name_id_pk" PRIMARY KEY("table_name","id")
);
--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "external_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "parent_id" uuid;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_parent_id_teams_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "teams_external_id_key" ON "teams" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "teams_parent_idx" ON "teams" USING btree ("parent_id") WHERE "teams"."parent_id" is not null;