-- Mail domains, their accesses, invitations, mailboxes and aliases (DESIGN.md §11), and one queued domain-status check.
CREATE TABLE "mail_aliases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"local_part" varchar(100) NOT NULL,
	"destination" varchar(254) NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_aliases_status_check" CHECK ("mail_aliases"."status" in ('pending', 'enabled', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "mail_domain_accesses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" varchar(20) DEFAULT 'viewer' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_domain_accesses_role_check" CHECK ("mail_domain_accesses"."role" in ('viewer', 'administrator', 'owner'))
);
--> statement-breakpoint
CREATE TABLE "mail_domain_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"email" varchar(254) NOT NULL,
	"role" varchar(20) DEFAULT 'viewer' NOT NULL,
	"issuer_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_domain_invitations_role_check" CHECK ("mail_domain_invitations"."role" in ('viewer', 'administrator', 'owner'))
);
--> statement-breakpoint
CREATE TABLE "mail_domains" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(150) NOT NULL,
	"slug" varchar(80) NOT NULL,
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"support_email" varchar(254) NOT NULL,
	"last_check_details" jsonb,
	"last_checked_at" timestamp with time zone,
	"expected_config" jsonb,
	"on_platform" boolean DEFAULT false NOT NULL,
	"organization_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_domains_status_check" CHECK ("mail_domains"."status" in ('pending', 'enabled', 'failed', 'disabled', 'action_required'))
);
--> statement-breakpoint
CREATE TABLE "mailboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain_id" uuid NOT NULL,
	"first_name" varchar(200) NOT NULL,
	"last_name" varchar(200) NOT NULL,
	"local_part" varchar(150) NOT NULL,
	"secondary_email" varchar(254),
	"status" varchar(20) DEFAULT 'pending' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"on_platform" boolean DEFAULT false NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailboxes_status_check" CHECK ("mailboxes"."status" in ('pending', 'enabled', 'failed', 'disabled'))
);
--> statement-breakpoint
ALTER TABLE "mail_aliases" ADD CONSTRAINT "mail_aliases_domain_id_mail_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."mail_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_domain_accesses" ADD CONSTRAINT "mail_domain_accesses_domain_id_mail_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."mail_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_domain_accesses" ADD CONSTRAINT "mail_domain_accesses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_domain_invitations" ADD CONSTRAINT "mail_domain_invitations_domain_id_mail_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."mail_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_domain_invitations" ADD CONSTRAINT "mail_domain_invitations_issuer_id_users_id_fk" FOREIGN KEY ("issuer_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_domains" ADD CONSTRAINT "mail_domains_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_domain_id_mail_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."mail_domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "mail_aliases_domain_local_part_destination_key" ON "mail_aliases" USING btree ("domain_id","local_part",lower("destination"));--> statement-breakpoint
CREATE UNIQUE INDEX "mail_domain_accesses_domain_user_key" ON "mail_domain_accesses" USING btree ("domain_id","user_id");--> statement-breakpoint
CREATE INDEX "mail_domain_accesses_user_idx" ON "mail_domain_accesses" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mail_domain_invitations_domain_email_key" ON "mail_domain_invitations" USING btree ("domain_id",lower("email"));--> statement-breakpoint
CREATE INDEX "mail_domain_invitations_email_lower_idx" ON "mail_domain_invitations" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "mail_domains_name_key" ON "mail_domains" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "mail_domains_slug_key" ON "mail_domains" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "mail_domains_organization_idx" ON "mail_domains" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mailboxes_domain_local_part_key" ON "mailboxes" USING btree ("domain_id","local_part");--> statement-breakpoint
CREATE UNIQUE INDEX "mailboxes_domain_display_name_key" ON "mailboxes" USING btree ("domain_id",lower("first_name"),lower("last_name"));--> statement-breakpoint
CREATE INDEX "mailboxes_pending_idx" ON "mailboxes" USING btree ("domain_id") WHERE "mailboxes"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_one_pending_mail_domain_check_idx" ON "jobs" USING btree ("kind") WHERE "jobs"."kind" = 'mail_domains.check' and "jobs"."status" = 'pending';