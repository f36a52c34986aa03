/**
 * What each object type's field resolvers receive as their parent (codegen's mappers, see codegen.ts): the Prisma
 * rows and service results the resolvers return, so returning the wrong one, or reading a field the row lacks, fails
 * tsc. Types without a mapper are the schema's own shape.
 */
import type { Role, Team } from '../generated/prisma/client.js';

export type {
  ActivityEvent,
  Circuit,
  CircuitVersion,
  Comment,
  Evidence,
  FeatureDashboard,
  FeatureLabel,
  Job,
  LabelRevision,
  Notification,
  Review,
  ShareLink,
  TeamInvitation,
  User,
} from '../generated/prisma/client.js';
export type {
  CatalogModel as Model,
  CatalogSae as Sae,
  CatalogTranscoder as Transcoder,
} from '../models/catalog.js';
export type { InvitationPreview } from '../services/invitations.js';

/** A team as one member sees it: the row and that member's role (Team.myRole, Team.can). */
export type TeamWithMyRole = Team & { myRole: Role };
