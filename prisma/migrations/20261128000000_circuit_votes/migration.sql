-- Up and down votes on circuits: one per person per circuit (the key), +1 or -1; withdrawing deletes the row.
CREATE TABLE "circuit_votes" (
    "circuit_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "circuit_votes_pkey" PRIMARY KEY ("circuit_id", "user_id"),
    CONSTRAINT "circuit_votes_value_check" CHECK ("value" IN (1, -1))
);
ALTER TABLE "circuit_votes" ADD CONSTRAINT "circuit_votes_circuit_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits"("id") ON DELETE CASCADE ON UPDATE CASCADE;
