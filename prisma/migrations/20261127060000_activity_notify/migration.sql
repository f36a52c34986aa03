-- Every team activity entry is announced on the "workbench_activity" channel once its transaction commits
-- (NOTIFY is transactional), so API instances can push team pages live whichever code path wrote the entry.
CREATE FUNCTION "workbench_notify_activity"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."team_id" IS NOT NULL THEN
    PERFORM pg_notify('workbench_activity', json_build_object(
      'teamId', NEW."team_id", 'action', NEW."action",
      'subjectType', NEW."subject_type", 'subjectId', NEW."subject_id")::text);
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "activity_events_notify" AFTER INSERT ON "activity_events"
  FOR EACH ROW EXECUTE FUNCTION "workbench_notify_activity"();
