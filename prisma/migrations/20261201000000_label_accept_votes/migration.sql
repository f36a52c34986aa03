-- How many people other than a label's author must vote it up before it is accepted, per team (default 2).
ALTER TABLE "teams" ADD COLUMN "label_accept_votes" INTEGER NOT NULL DEFAULT 2;
ALTER TABLE "teams" ADD CONSTRAINT "teams_label_accept_votes_check" CHECK ("label_accept_votes" BETWEEN 1 AND 50);

-- A label's status from the votes of people other than its author: ACCEPTED with at least `needed` up votes that
-- are at least three quarters of those votes; DISPUTED with `needed` votes or more and a down vote otherwise;
-- PROPOSED before that. One definition, used by every vote and by a change of the team's setting.
CREATE FUNCTION workbench_label_status(up BIGINT, down BIGINT, needed INTEGER) RETURNS "LabelStatus"
LANGUAGE SQL IMMUTABLE AS $$
  SELECT (CASE
    WHEN up >= needed AND up >= 0.75 * (up + down) THEN 'ACCEPTED'
    WHEN up + down >= needed AND down > 0 THEN 'DISPUTED'
    ELSE 'PROPOSED' END)::"LabelStatus"
$$;

-- Labels accepted on the author's own vote are recounted under the new rule.
UPDATE "feature_labels" AS l SET "status" = workbench_label_status(c.up, c.down, 2)
FROM (
  SELECT fl.id,
         count(v.*) FILTER (WHERE v.value = 1) AS up,
         count(v.*) FILTER (WHERE v.value = -1) AS down
  FROM "feature_labels" fl
  LEFT JOIN "label_votes" v ON v.label_id = fl.id AND v.user_id <> fl.author_id
  GROUP BY fl.id
) AS c
WHERE l.id = c.id;
