-- Where an imported label came from (importLabels): the file format, line and the original feature ids.
ALTER TABLE "feature_labels" ADD COLUMN "source" JSONB;
