-- A dashboards job's rows while it stores them, in short statements of their own; one short transaction then moves
-- them into feature_dashboards (INSERT ... SELECT), so no long transaction holds the database (PGlite has one
-- connection) and readers still see each SAE's old set or its new one.
CREATE TABLE "feature_dashboards_staging" (
    "job_id" UUID NOT NULL,
    "sae_id" TEXT NOT NULL,
    "feature_index" INTEGER NOT NULL,
    "max_activation" DOUBLE PRECISION NOT NULL,
    "density" DOUBLE PRECISION NOT NULL,
    "histogram" JSONB NOT NULL,
    "top_contexts" JSONB NOT NULL,
    "quantiles" JSONB NOT NULL,
    "top_logits" JSONB NOT NULL,
    "bottom_logits" JSONB NOT NULL,
    "corpus" TEXT NOT NULL,
    CONSTRAINT "feature_dashboards_staging_pkey" PRIMARY KEY ("job_id", "sae_id", "feature_index")
);
