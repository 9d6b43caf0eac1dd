-- SCIM 2.0 provisioning (DESIGN.md §9): clients per organization (token kept as a digest), the SCIM attributes of the
-- users they provision, and the teams they manage as groups.
CREATE TABLE "scim_clients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" varchar(100) NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scim_users" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"user_name" varchar(255) NOT NULL,
	"external_id" varchar(255),
	"given_name" varchar(100),
	"family_name" varchar(100),
	"formatted" varchar(255),
	"display_name" varchar(255),
	"emails" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "scim_client_id" uuid;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "scim_external_id" varchar(255);--> statement-breakpoint
ALTER TABLE "scim_clients" ADD CONSTRAINT "scim_clients_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scim_users" ADD CONSTRAINT "scim_users_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scim_users" ADD CONSTRAINT "scim_users_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scim_users" ADD CONSTRAINT "scim_users_client_id_scim_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."scim_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "scim_clients_token_hash_key" ON "scim_clients" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "scim_clients_organization_idx" ON "scim_clients" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scim_users_organization_user_name_key" ON "scim_users" USING btree ("organization_id",lower("user_name"));--> statement-breakpoint
CREATE INDEX "scim_users_organization_user_name_trgm_idx" ON "scim_users" USING gin ("organization_id",lower("user_name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "scim_users_organization_external_id_idx" ON "scim_users" USING btree ("organization_id","external_id");--> statement-breakpoint
CREATE INDEX "scim_users_organization_updated_idx" ON "scim_users" USING btree ("organization_id","updated_at");--> statement-breakpoint
CREATE INDEX "scim_users_client_idx" ON "scim_users" USING btree ("client_id");--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_scim_client_id_scim_clients_id_fk" FOREIGN KEY ("scim_client_id") REFERENCES "public"."scim_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "teams_scim_organization_name_idx" ON "teams" USING btree ("organization_id",lower("name")) WHERE "teams"."scim_client_id" is not null;