-- Collaboration (v2): labels with revisions and votes, circuits with immutable versions, share links, comments,
-- notifications, reviews and the activity log.
CREATE TYPE "Visibility" AS ENUM ('PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC');
CREATE TYPE "LabelStatus" AS ENUM ('PROPOSED', 'ACCEPTED', 'DISPUTED');
CREATE TYPE "SharePermission" AS ENUM ('VIEW', 'COMMENT', 'EDIT');
CREATE TYPE "ReviewState" AS ENUM ('PENDING', 'APPROVED', 'CHANGES_REQUESTED');
CREATE TYPE "CommentTarget" AS ENUM ('FEATURE', 'LABEL', 'CIRCUIT', 'NODE', 'EDGE');

CREATE TABLE "feature_labels" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "model_id" TEXT NOT NULL,
    "sae_id" TEXT NOT NULL,
    "feature_index" INTEGER NOT NULL,
    "visibility" "Visibility" NOT NULL,
    "status" "LabelStatus" NOT NULL DEFAULT 'PROPOSED',
    "author_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "score" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "feature_labels_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "feature_labels_model_id_sae_id_feature_index_idx" ON "feature_labels"("model_id", "sae_id", "feature_index");
CREATE INDEX "feature_labels_team_id_idx" ON "feature_labels"("team_id");
ALTER TABLE "feature_labels" ADD CONSTRAINT "feature_labels_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "label_revisions" (
    "label_id" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "author_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "label_revisions_pkey" PRIMARY KEY ("label_id", "revision")
);
ALTER TABLE "label_revisions" ADD CONSTRAINT "label_revisions_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "feature_labels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "label_votes" (
    "label_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "label_votes_pkey" PRIMARY KEY ("label_id", "user_id")
);
ALTER TABLE "label_votes" ADD CONSTRAINT "label_votes_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "feature_labels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "circuits" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "visibility" "Visibility" NOT NULL DEFAULT 'TEAM',
    "created_by_id" UUID NOT NULL,
    "latest_version" INTEGER NOT NULL DEFAULT 1,
    "forked_from_circuit_id" UUID,
    "forked_from_version" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "circuits_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "circuits_slug_key" ON "circuits"("slug");
CREATE INDEX "circuits_team_id_idx" ON "circuits"("team_id");
ALTER TABLE "circuits" ADD CONSTRAINT "circuits_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "circuit_versions" (
    "circuit_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "graph" JSONB NOT NULL,
    "layout" JSONB NOT NULL,
    "groups" JSONB NOT NULL,
    "annotations" JSONB NOT NULL,
    "message" TEXT NOT NULL,
    "author_id" UUID NOT NULL,
    "parent" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "circuit_versions_pkey" PRIMARY KEY ("circuit_id", "number")
);
ALTER TABLE "circuit_versions" ADD CONSTRAINT "circuit_versions_circuit_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "share_links" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "circuit_id" UUID NOT NULL,
    "version" INTEGER,
    "permission" "SharePermission" NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "share_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "share_links_token_hash_key" ON "share_links"("token_hash");
CREATE INDEX "share_links_circuit_id_idx" ON "share_links"("circuit_id");
ALTER TABLE "share_links" ADD CONSTRAINT "share_links_circuit_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "comments" (
    "id" UUID NOT NULL,
    "target_type" "CommentTarget" NOT NULL,
    "target_key" TEXT NOT NULL,
    "team_id" UUID,
    "circuit_id" UUID,
    "parent_id" UUID,
    "author_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "comments_target_type_target_key_idx" ON "comments"("target_type", "target_key");
CREATE INDEX "comments_parent_id_idx" ON "comments"("parent_id");

CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "comment_id" UUID,
    "data" JSONB NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "notifications_user_id_created_at_idx" ON "notifications"("user_id", "created_at");

CREATE TABLE "reviews" (
    "id" UUID NOT NULL,
    "circuit_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "reviewer_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "state" "ReviewState" NOT NULL DEFAULT 'PENDING',
    "comment" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "reviews_circuit_id_version_reviewer_id_key" ON "reviews"("circuit_id", "version", "reviewer_id");
CREATE INDEX "reviews_reviewer_id_state_idx" ON "reviews"("reviewer_id", "state");
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_circuit_id_fkey" FOREIGN KEY ("circuit_id") REFERENCES "circuits"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "activity_events" (
    "id" UUID NOT NULL,
    "team_id" UUID,
    "actor_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "activity_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "activity_events_team_id_created_at_idx" ON "activity_events"("team_id", "created_at");
