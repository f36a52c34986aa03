-- Models and SAEs the app offers, synchronised at start from the bundled demo and the models registry.
CREATE TABLE "registered_models" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "file_hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "registered_models_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "registered_saes" (
    "id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "hook" TEXT NOT NULL,
    "d_in" INTEGER NOT NULL,
    "d_sae" INTEGER NOT NULL,
    "architecture" TEXT NOT NULL,
    "conventions" JSONB NOT NULL,
    "path" TEXT NOT NULL,
    "file_hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "registered_saes_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "registered_saes_model_id_idx" ON "registered_saes"("model_id");
ALTER TABLE "registered_saes" ADD CONSTRAINT "registered_saes_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "registered_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
