-- The team tree (DESIGN.md §12): a materialised path as people's treebeard keeps it (steps of 5 characters
-- [0-9A-Z]), so that the ancestors of a team are the prefixes of its path and a subtree is one prefix match.
-- Each team's own step comes from a sequence (unique over all teams, so a step never needs choosing among
-- siblings); triggers put the parent's path in front on insert and on every change of parent_id, descendants
-- included, whoever writes the row.
CREATE SEQUENCE "teams_path_step";--> statement-breakpoint
CREATE FUNCTION desk_team_path_step() RETURNS text
  LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n bigint := nextval('teams_path_step');
  step text := '';
BEGIN
  -- 36^5 steps: people's treebeard has the same room per level.
  IF n >= 60466176 THEN
    RAISE EXCEPTION 'no team path step is left' USING ERRCODE = 'sequence_generator_limit_exceeded';
  END IF;
  FOR i IN 1..5 LOOP
    step := substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', (n % 36)::int + 1, 1) || step;
    n := n / 36;
  END LOOP;
  RETURN step;
END $$;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "path" varchar(255) DEFAULT desk_team_path_step() NOT NULL;--> statement-breakpoint
-- Every existing team got a step of its own from the default; the tree imported from people puts its ancestors'
-- steps in front.
WITH RECURSIVE tree AS (
  SELECT id, path::text AS full FROM teams WHERE parent_id IS NULL
  UNION ALL
  SELECT c.id, tree.full || right(c.path, 5) FROM teams c JOIN tree ON c.parent_id = tree.id
)
UPDATE teams SET path = tree.full FROM tree WHERE teams.id = tree.id AND teams.path <> tree.full;--> statement-breakpoint
-- A team no root reaches (a cycle: people's paths cannot make one, but parent_id alone could) becomes a root.
UPDATE teams t SET parent_id = NULL
  WHERE parent_id IS NOT NULL
    AND NOT starts_with(t.path, (SELECT p.path FROM teams p WHERE p.id = t.parent_id));--> statement-breakpoint
CREATE UNIQUE INDEX "teams_path_key" ON "teams" USING btree ("path" text_pattern_ops);--> statement-breakpoint
-- Before a row is written: its path is its parent's and its own step. Creations under a parent share, moves take
-- alone, one transaction-level lock (72110024): a move's rewrite of a subtree then sees every child created before
-- it, and two moves cannot make a cycle between them. A move under the team itself or one of its descendants is
-- refused (the API says so first; this holds against races).
CREATE FUNCTION desk_team_path() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  parent_path text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
      RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(72110024);
  ELSIF NEW.parent_id IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock_shared(72110024);
  END IF;
  IF NEW.parent_id IS NULL THEN
    NEW.path := right(NEW.path, 5);
    RETURN NEW;
  END IF;
  SELECT path INTO parent_path FROM teams WHERE id = NEW.parent_id FOR SHARE;
  IF parent_path IS NULL THEN
    -- An unknown parent: the foreign key refuses the row.
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND starts_with(parent_path, OLD.path) THEN
    RAISE EXCEPTION 'A team cannot be moved under itself or one of its sub-teams.'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'teams_path_no_cycle';
  END IF;
  NEW.path := parent_path || right(NEW.path, 5);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "teams_path" BEFORE INSERT OR UPDATE OF parent_id ON "teams"
  FOR EACH ROW EXECUTE FUNCTION desk_team_path();--> statement-breakpoint
-- After a move: the descendants' paths follow (one statement; it sets only path, so this trigger does not recurse).
CREATE FUNCTION desk_team_subtree_path() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  UPDATE teams SET path = NEW.path || substr(path, length(OLD.path) + 1)
    WHERE path LIKE OLD.path || '%' AND id <> NEW.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "teams_subtree_path" AFTER UPDATE OF parent_id ON "teams"
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION desk_team_subtree_path();
