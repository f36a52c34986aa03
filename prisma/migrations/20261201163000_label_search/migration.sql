-- Full-text search over labels (searchLabels): the expression the query matches, indexed. Name and description
-- are one English document; the query must spell the expression exactly like this for the index to be used.
CREATE INDEX "feature_labels_search_idx" ON "feature_labels"
  USING GIN (to_tsvector('english', "name" || ' ' || "description"));
