-- Feature dashboards, replaced per SAE in one transaction.
CREATE TABLE "feature_dashboards" (
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
    "job_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "feature_dashboards_pkey" PRIMARY KEY ("sae_id", "feature_index")
);
