CREATE TABLE "document_accesses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"user_id" uuid,
	"team_id" uuid,
	"role" varchar(20) DEFAULT 'reader' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_accesses_one_target" CHECK (("document_accesses"."user_id" is null) <> ("document_accesses"."team_id" is null)),
	CONSTRAINT "document_accesses_role_check" CHECK ("document_accesses"."role" in ('reader', 'editor', 'owner'))
);
--> statement-breakpoint
CREATE TABLE "document_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"email" varchar(254) NOT NULL,
	"role" varchar(20) DEFAULT 'reader' NOT NULL,
	"issuer_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_invitations_role_check" CHECK ("document_invitations"."role" in ('reader', 'editor', 'owner'))
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" varchar(255) NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"creator_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" varchar(64) PRIMARY KEY NOT NULL,
	"status" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "document_accesses" ADD CONSTRAINT "document_accesses_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_accesses" ADD CONSTRAINT "document_accesses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_accesses" ADD CONSTRAINT "document_accesses_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_invitations" ADD CONSTRAINT "document_invitations_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_invitations" ADD CONSTRAINT "document_invitations_issuer_id_users_id_fk" FOREIGN KEY ("issuer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_creator_id_users_id_fk" FOREIGN KEY ("creator_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "document_accesses_document_user_key" ON "document_accesses" USING btree ("document_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_accesses_document_team_key" ON "document_accesses" USING btree ("document_id","team_id");--> statement-breakpoint
CREATE INDEX "document_accesses_user_idx" ON "document_accesses" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "document_accesses_team_idx" ON "document_accesses" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "document_invitations_document_email_key" ON "document_invitations" USING btree ("document_id",lower("email"));--> statement-breakpoint
CREATE INDEX "document_invitations_email_idx" ON "document_invitations" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "documents_created_idx" ON "documents" USING btree ("created_at");