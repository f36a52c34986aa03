-- Evidence: an intervention result (steer on a label, ablate on a circuit version) with the inputs that re-run it.
CREATE TABLE "evidence" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "team_id" UUID NOT NULL,
    "label_id" UUID,
    "circuit_id" UUID,
    "version" INTEGER,
    "inputs" JSONB NOT NULL,
    "result" JSONB NOT NULL,
    "author_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "evidence_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "evidence_kind_check" CHECK ("kind" IN ('steer', 'ablate')),
    -- On a label, or on one version of a circuit: exactly one of the two.
    CONSTRAINT "evidence_subject_check" CHECK (
        ("label_id" IS NOT NULL AND "circuit_id" IS NULL AND "version" IS NULL)
        OR ("label_id" IS NULL AND "circuit_id" IS NOT NULL AND "version" IS NOT NULL)
    )
);
CREATE INDEX "evidence_label_id_created_at_idx" ON "evidence"("label_id", "created_at");
CREATE INDEX "evidence_circuit_id_version_created_at_idx" ON "evidence"("circuit_id", "version", "created_at");
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "feature_labels"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_circuit_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits"("id") ON DELETE CASCADE ON UPDATE CASCADE;
