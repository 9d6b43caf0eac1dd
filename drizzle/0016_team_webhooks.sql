-- Team webhooks (DESIGN.md §12): where a team's membership changes go, and the deliveries still to make. A
-- delivery is written by a trigger in the transaction of the change, whoever makes it (the API, an invitation, SCIM),
-- with a job of the queue that sends it once the change commits.
CREATE TABLE "team_webhook_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "team_webhook_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"webhook_id" uuid NOT NULL,
	"action" varchar(6) NOT NULL,
	"user_id" uuid NOT NULL,
	"sub" varchar(255),
	"email" varchar(254),
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_webhook_deliveries_action_check" CHECK ("team_webhook_deliveries"."action" in ('add', 'remove'))
);
--> statement-breakpoint
CREATE TABLE "team_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team_id" uuid NOT NULL,
	"url" varchar(1000) NOT NULL,
	"protocol" varchar(10) NOT NULL,
	"secret" text,
	"status" varchar(10) DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"last_success_at" timestamp with time zone,
	"delivering_until" timestamp with time zone,
	"delivery_token" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_webhooks_protocol_check" CHECK ("team_webhooks"."protocol" in ('scim', 'matrix')),
	CONSTRAINT "team_webhooks_status_check" CHECK ("team_webhooks"."status" in ('pending', 'success', 'failure'))
);
--> statement-breakpoint
ALTER TABLE "team_webhook_deliveries" ADD CONSTRAINT "team_webhook_deliveries_webhook_id_team_webhooks_id_fk" FOREIGN KEY ("webhook_id") REFERENCES "public"."team_webhooks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_webhooks" ADD CONSTRAINT "team_webhooks_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "team_webhook_deliveries_webhook_idx" ON "team_webhook_deliveries" USING btree ("webhook_id","id");--> statement-breakpoint
CREATE INDEX "team_webhooks_team_idx" ON "team_webhooks" USING btree ("team_id");--> statement-breakpoint
-- One statement per statement on team_accesses (transition tables), however many rows it adds or removes: a SCIM
-- PATCH of 10,000 members is one INSERT here, and a team without webhooks costs one index probe per row.
CREATE FUNCTION desk_team_webhook_deliveries() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  WITH made AS (
    INSERT INTO team_webhook_deliveries (webhook_id, action, user_id, sub, email)
    SELECT w.id, CASE TG_OP WHEN 'INSERT' THEN 'add' ELSE 'remove' END, a.user_id, u.sub, u.email
    FROM changed_accesses a JOIN team_webhooks w ON w.team_id = a.team_id LEFT JOIN users u ON u.id = a.user_id
    RETURNING id
  )
  INSERT INTO jobs (kind, payload) SELECT 'webhooks.deliver', jsonb_build_object('delivery', made.id) FROM made;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "team_accesses_webhooks_added" AFTER INSERT ON "team_accesses"
  REFERENCING NEW TABLE AS changed_accesses
  FOR EACH STATEMENT EXECUTE FUNCTION desk_team_webhook_deliveries();--> statement-breakpoint
CREATE TRIGGER "team_accesses_webhooks_removed" AFTER DELETE ON "team_accesses"
  REFERENCING OLD TABLE AS changed_accesses
  FOR EACH STATEMENT EXECUTE FUNCTION desk_team_webhook_deliveries();
