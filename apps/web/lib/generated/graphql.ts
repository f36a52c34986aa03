/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type AddCommentInput = {
  body: string;
  parentId?: string | number | null | undefined;
  target: CommentTargetInput;
};

export type AddMemberInput = {
  email: string;
  role: Role;
  teamId: string | number;
};

/** What to compute a sparse feature circuit for (Marks et al. 2024). Give a dataset name or pairs. */
export type CircuitJobInput = {
  /** position (default) or sum. */
  aggregation?: string | null | undefined;
  /** simple, nounpp, within_rc or rc (held-out generated pairs). */
  dataset?: string | null | undefined;
  edgeThreshold?: number | null | undefined;
  maxNodes?: number | null | undefined;
  /** ig (integrated gradients, default), atp (attribution patching) or exact (activation patching, a forward pass per node and pair: small models). */
  method?: string | null | undefined;
  model: string | number;
  /** Pairs taken from the dataset (default 20); given pairs are all used. */
  n?: number | null | undefined;
  nodeThreshold?: number | null | undefined;
  pairs?: Array<PromptPairInput> | null | undefined;
  /** Default: every SAE of the model. */
  saes?: Array<string | number> | null | undefined;
  steps?: number | null | undefined;
  teamId: string | number;
  title: string;
  visibility?: Visibility | null | undefined;
};

export type CircuitStatus =
  | 'APPROVED'
  | 'CHANGES_REQUESTED'
  | 'DRAFT'
  | 'IN_REVIEW';

/** Where a comment lives: a feature, a label, a circuit, or one node or edge of a circuit. */
export type CommentTargetInput = {
  circuitId?: string | number | null | undefined;
  edgeId?: string | null | undefined;
  featureIndex?: number | null | undefined;
  labelId?: string | number | null | undefined;
  modelId?: string | null | undefined;
  nodeId?: string | null | undefined;
  saeId?: string | null | undefined;
  /** FEATURE only: the team whose members see the thread (omit for a public thread). */
  teamId?: string | number | null | undefined;
  type: CommentTargetType;
};

export type CommentTargetType =
  | 'CIRCUIT'
  | 'EDGE'
  | 'FEATURE'
  | 'LABEL'
  | 'NODE';

export type CreateCircuitInput = {
  annotations?: unknown;
  graph: unknown;
  groups?: unknown;
  layout?: unknown;
  message?: string | null | undefined;
  teamId: string | number;
  title: string;
  visibility?: Visibility | null | undefined;
};

export type CreateShareLinkInput = {
  circuitId: string | number;
  expiresAt?: string | null | undefined;
  permission: SharePermission;
  /** Omit to share every version. */
  version?: number | null | undefined;
};

export type DecideReviewInput = {
  comment?: string | null | undefined;
  decision: ReviewState;
  reviewId: string | number;
};

export type EditLabelInput = {
  description?: string | null | undefined;
  labelId: string | number;
  name: string;
};

export type FeatureKeyInput = {
  featureIndex: number;
  modelId: string;
  saeId: string;
};

export type ImportLabelsInput = {
  /** true (default): report what would change and write nothing. */
  dryRun?: boolean | null | undefined;
  format: LabelImportFormat;
  /** The model the file's features belong to (FEATURE_CIRCUITS files do not say; CSV rows without a model column). */
  modelId?: string | null | undefined;
  teamId: string | number;
  /** The file's text (at most 5,000,000 characters, 20,000 labels). */
  text: string;
  visibility?: Visibility | null | undefined;
};

export type JobStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

export type LabelExportFormat =
  | 'CSV'
  | 'JSON';

/**
 * NEURONPEDIA: its feature JSON (modelId, layer, index, explanations), as one feature, an array or JSON Lines, or its
 * flat explanation exports. FEATURE_CIRCUITS: saprmarks/feature-circuits annotations (JSON Lines of Component, Layer,
 * Feature, Annotation, Notes; needs modelId). WORKBENCH: this app's JSON export. CSV: this app's CSV export, or a
 * spreadsheet whose header row names at least the SAE id (sae_id or sae), the feature index (feature_index, index or
 * feature) and the label (name or label); also read: model_id or model (else modelId, else the one model here with
 * that SAE), description, and the export's id and source. Header names are case-insensitive, spaces and hyphens
 * read as underscores ("Feature Index"); other columns are ignored. Quoted cells may hold commas, quotes and line
 * breaks; a BOM and CRLF line endings are fine.
 */
export type LabelImportFormat =
  | 'CSV'
  | 'FEATURE_CIRCUITS'
  | 'NEURONPEDIA'
  | 'WORKBENCH';

export type LabelStatus =
  | 'ACCEPTED'
  | 'DISPUTED'
  | 'PROPOSED';

/**
 * What to compute a one-prompt attribution graph for (circuit-tracer's method, Ameisen et al. 2025): every MLP
 * replaced by a transcoder, edges pruned by influence on the top next-token logits. No counterfactual needed.
 */
export type PromptGraphJobInput = {
  /** Keep edges up to this share of the edge influence, 0-1 (default 0.98). */
  edgeThreshold?: number | null | undefined;
  /** At most this many transcoder feature nodes, chosen by influence (default 7500). */
  maxFeatureNodes?: number | null | undefined;
  model: string | number;
  /** Keep nodes up to this share of the influence on the logits, 0-1 (default 0.8). */
  nodeThreshold?: number | null | undefined;
  /** The prompt (at most 2,000 characters, and within the model's context). */
  prompt: string;
  teamId: string | number;
  title: string;
  /** A transcoder set of the model: Transcoder.id up to its last '/' (the demo's: demo). Default: the first with a transcoder for every layer. */
  transcoders?: string | null | undefined;
  visibility?: Visibility | null | undefined;
};

export type PromptPairInput = {
  /** With a leading space (e.g. ' is'); one token for the model. */
  clean_answer: string;
  clean_prefix: string;
  patch_answer: string;
  patch_prefix: string;
};

export type ProposeLabelInput = {
  description?: string | null | undefined;
  featureIndex: number;
  modelId: string;
  name: string;
  saeId: string;
  teamId: string | number;
  visibility?: Visibility | null | undefined;
};

export type RequestReviewInput = {
  circuitId: string | number;
  reviewerIds: Array<string | number>;
  version?: number | null | undefined;
};

export type ReviewState =
  | 'APPROVED'
  | 'CHANGES_REQUESTED'
  | 'PENDING';

export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OWNER'
  | 'VIEWER';

/** Which features an SAE page keeps. DEAD: fired on no corpus token in the dashboards. */
export type SaeFeatureFilter =
  | 'ACCEPTED'
  | 'ALL'
  | 'DEAD'
  | 'DISPUTED'
  | 'IN_CIRCUIT'
  | 'LABELED'
  | 'UNLABELED';

/** Orders of an SAE page; each ends on the feature index. */
export type SaeFeatureSort =
  | 'DENSEST'
  | 'INDEX'
  | 'LABEL'
  | 'MAX_ACTIVATION'
  | 'RECENT_ACTIVITY'
  | 'SPARSEST';

export type SaveVersionInput = {
  annotations?: unknown;
  /** The version these changes start from; a newer save in between gives a CONFLICT error. */
  baseVersion: number;
  circuitId: string | number;
  graph: unknown;
  groups?: unknown;
  layout?: unknown;
  message?: string | null | undefined;
};

export type SharePermission =
  | 'COMMENT'
  | 'EDIT'
  | 'VIEW';

export type SignInInput = {
  email: string;
  password: string;
};

export type SignUpInput = {
  displayName: string;
  email: string;
  password: string;
};

export type Visibility =
  | 'PRIVATE'
  | 'PUBLIC'
  | 'TEAM'
  | 'UNLISTED';

export type LabelDraftingQueryVariables = Exact<{ [key: string]: never; }>;


export type LabelDraftingQuery = { labelDrafting: { llmConfigured: boolean, model: string | null, endpoint: string | null, defaultMaxRequests: number, maxRequestsCap: number } };

export type ExplainFeaturesMutationVariables = Exact<{
  teamId: string | number;
  model: string | number;
  sae: string | number;
  featureIndex?: number | null | undefined;
  maxRequests?: number | null | undefined;
}>;


export type ExplainFeaturesMutation = { explainFeatures: { id: string, status: JobStatus, stage: string, percent: number, etaSeconds: number | null, error: string | null, result: unknown } };

export type DraftFromTokenPatternMutationVariables = Exact<{
  teamId: string | number;
  model: string | number;
  sae: string | number;
  featureIndex: number;
}>;


export type DraftFromTokenPatternMutation = { draftLabelFromTokenPattern: { id: string, name: string } };

export type EvidenceFieldsFragment = { id: string, kind: string, labelId: string | null, circuitId: string | null, version: number | null, inputs: unknown, result: unknown, createdAt: string, author: { id: string, displayName: string } | null };

export type LabelEvidenceQueryVariables = Exact<{
  id: string | number;
}>;


export type LabelEvidenceQuery = { label: { id: string, evidence: Array<{ id: string, kind: string, labelId: string | null, circuitId: string | null, version: number | null, inputs: unknown, result: unknown, createdAt: string, author: { id: string, displayName: string } | null }> } };

export type CircuitEvidenceQueryVariables = Exact<{
  slug: string;
  version?: number | null | undefined;
}>;


export type CircuitEvidenceQuery = { circuit: { id: string, evidence: Array<{ id: string, kind: string, labelId: string | null, circuitId: string | null, version: number | null, inputs: unknown, result: unknown, createdAt: string, author: { id: string, displayName: string } | null }> } };

export type SaveSteeringEvidenceMutationVariables = Exact<{
  labelId: string | number;
  text: string;
  strength: number;
  positions?: Array<number> | number | null | undefined;
  compareTokens?: Array<string> | string | null | undefined;
  continuation?: number | null | undefined;
  freezeAttention?: boolean | null | undefined;
}>;


export type SaveSteeringEvidenceMutation = { saveSteeringEvidence: { id: string, kind: string, labelId: string | null, circuitId: string | null, version: number | null, inputs: unknown, result: unknown, createdAt: string, author: { id: string, displayName: string } | null } };

export type SaveAblationEvidenceMutationVariables = Exact<{
  circuitId: string | number;
  version: number;
  jobId: string | number;
}>;


export type SaveAblationEvidenceMutation = { saveAblationEvidence: { id: string, kind: string, labelId: string | null, circuitId: string | null, version: number | null, inputs: unknown, result: unknown, createdAt: string, author: { id: string, displayName: string } | null } };

export type GraphBuilderModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type GraphBuilderModelsQuery = { models: Array<{ id: string, nLayers: number, transcoders: Array<{ id: string, hookIn: string, dSae: number, architecture: string, k: number | null }> }> };

export type StartPromptGraphJobMutationVariables = Exact<{
  input: PromptGraphJobInput;
}>;


export type StartPromptGraphJobMutation = { startPromptGraphJob: { id: string, status: JobStatus } };

export type SteeringRunFieldsFragment = { logitDiff: number | null, continuation: Array<string>, continuationText: string, topTokens: Array<{ tokenId: number, token: string, probability: number, logit: number }> };

export type SteerFeatureQueryVariables = Exact<{
  model: string | number;
  sae: string | number;
  feature: number;
  text: string;
  strength: number;
  positions?: Array<number> | number | null | undefined;
  compareTokens?: Array<string> | string | null | undefined;
  continuation?: number | null | undefined;
  freezeAttention?: boolean | null | undefined;
}>;


export type SteerFeatureQuery = { steerFeature: { tokens: Array<string>, positions: Array<number> | null, hook: string, scale: number, scaleSource: string, addedNorm: number, compareTokens: Array<string> | null, unsteered: { logitDiff: number | null, continuation: Array<string>, continuationText: string, topTokens: Array<{ tokenId: number, token: string, probability: number, logit: number }> }, steered: { logitDiff: number | null, continuation: Array<string>, continuationText: string, topTokens: Array<{ tokenId: number, token: string, probability: number, logit: number }> }, frozen: { logitDiff: number | null, continuation: Array<string>, continuationText: string, topTokens: Array<{ tokenId: number, token: string, probability: number, logit: number }> } | null } };

export type AblateSelectionMutationVariables = Exact<{
  circuitId: string | number;
  version: number;
  nodeIds: Array<string> | string;
  mode: string;
}>;


export type AblateSelectionMutation = { ablateSelection: { id: string } };

export type ExportLabelsQueryVariables = Exact<{
  teamId: string | number;
  format: LabelExportFormat;
}>;


export type ExportLabelsQuery = { exportLabels: { filename: string, contentType: string, text: string } };

export type ImportLabelsMutationVariables = Exact<{
  input: ImportLabelsInput;
}>;


export type ImportLabelsMutation = { importLabels: { dryRun: boolean, created: number, skipped: number, errorCount: number, errors: Array<{ line: number, field: string, message: string }>, skippedRows: Array<{ line: number, field: string, message: string }>, preview: Array<{ line: number, modelId: string, saeId: string, featureIndex: number, name: string }> } };

export type SaeFeaturesQueryVariables = Exact<{
  model: string | number;
  sae: string | number;
  teamId?: string | number | null | undefined;
  sort?: SaeFeatureSort | null | undefined;
  filter?: SaeFeatureFilter | null | undefined;
  offset?: number | null | undefined;
}>;


export type SaeFeaturesQuery = { saeFeatures: { totalCount: number, offset: number, edges: Array<{ node: { featureIndex: number, density: number | null, maxActivation: number | null, inCircuit: boolean, lastActivityAt: string | null, labelCount: number, label: { id: string, name: string, status: LabelStatus, score: number, detectionScore: number | null } | null } }> } };

export type SaeCoverageQueryVariables = Exact<{
  model: string | number;
  sae: string | number;
  teamId?: string | number | null | undefined;
}>;


export type SaeCoverageQuery = { saeCoverage: { features: number, labeled: number, accepted: number, disputed: number, dead: number, withDashboards: number, inCircuits: number } };

export type SaeFeatureNeighboursQueryVariables = Exact<{
  model: string | number;
  sae: string | number;
  featureIndex: number;
  teamId?: string | number | null | undefined;
  sort?: SaeFeatureSort | null | undefined;
  filter?: SaeFeatureFilter | null | undefined;
}>;


export type SaeFeatureNeighboursQuery = { saeFeatureNeighbours: { position: number | null, total: number, previous: number | null, next: number | null, nextUnlabeled: number | null } };

export type SearchLabelsQueryVariables = Exact<{
  query: string;
}>;


export type SearchLabelsQuery = { searchLabels: Array<{ rank: number, label: { id: string, modelId: string, saeId: string, featureIndex: number, name: string, description: string, status: LabelStatus, score: number } }> };

export type RouteCatalogQueryVariables = Exact<{ [key: string]: never; }>;


export type RouteCatalogQuery = { models: Array<{ id: string, saes: Array<{ id: string, dSae: number }> }> };

export type LearnCircuitQueryVariables = Exact<{ [key: string]: never; }>;


export type LearnCircuitQuery = { learnCircuit: { model: string, cleanPrefix: string, patchPrefix: string, cleanAnswer: string, patchAnswer: string, graph: unknown } };

export type UserFieldsFragment = { id: string, email: string | null, displayName: string };

export type TeamFieldsFragment = { id: string, name: string, slug: string, myRole: Role, labelAcceptVotes: number, createdAt: string, can: { manageMembers: boolean, manageAdmins: boolean, changeSettings: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } };

export type MemberFieldsFragment = { role: Role, user: { id: string, email: string | null, displayName: string } };

export type ReviewAgreementFieldsFragment = { approved: number, changesRequested: number, pending: number, agreement: number };

export type CircuitVoteFieldsFragment = { __typename: 'Circuit', id: string, score: number, myVote: number, voteAgreement: { __typename: 'Agreement', up: number, down: number } };

export type ShareLinkFieldsFragment = { id: string, version: number | null, permission: SharePermission, expiresAt: string | null, revokedAt: string | null, createdAt: string };

export type IdChangesFieldsFragment = { added: Array<string>, removed: Array<string>, changed: Array<string> };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string | null, displayName: string } | null };

export type MyTeamsQueryVariables = Exact<{ [key: string]: never; }>;


export type MyTeamsQuery = { myTeams: Array<{ id: string, name: string, slug: string, myRole: Role, labelAcceptVotes: number, createdAt: string, can: { manageMembers: boolean, manageAdmins: boolean, changeSettings: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } }> };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { id: string, email: string | null, displayName: string } };

export type SignInMutationVariables = Exact<{
  input: SignInInput;
}>;


export type SignInMutation = { signIn: { id: string, email: string | null, displayName: string } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: boolean };

export type CreateTeamMutationVariables = Exact<{
  name: string;
}>;


export type CreateTeamMutation = { createTeam: { id: string, name: string, slug: string, myRole: Role, labelAcceptVotes: number, createdAt: string, can: { manageMembers: boolean, manageAdmins: boolean, changeSettings: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } } };

export type MyTeamAddedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MyTeamAddedSubscription = { myTeamAdded: { id: string, name: string, slug: string, myRole: Role, labelAcceptVotes: number, createdAt: string, can: { manageMembers: boolean, manageAdmins: boolean, changeSettings: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } } };

export type CircuitFieldsFragment = { id: string, slug: string, title: string, teamId: string, visibility: Visibility, latestVersion: number, onlyVersion: number | null, status: CircuitStatus, approvedVersion: number | null, updatedAt: string, can: { comment: boolean, edit: boolean, manage: boolean }, createdBy: { id: string, displayName: string } | null, reviewAgreement: { approved: number, changesRequested: number, pending: number, agreement: number } };

export type CircuitQueryVariables = Exact<{
  slug: string;
  number?: number | null | undefined;
}>;


export type CircuitQuery = { circuit: { id: string, slug: string, title: string, teamId: string, visibility: Visibility, latestVersion: number, onlyVersion: number | null, status: CircuitStatus, approvedVersion: number | null, updatedAt: string, version: { number: number, parent: number | null, graph: unknown, layout: unknown, groups: unknown, annotations: unknown, message: string, createdAt: string, author: { id: string, displayName: string } | null }, can: { comment: boolean, edit: boolean, manage: boolean }, createdBy: { id: string, displayName: string } | null, reviewAgreement: { approved: number, changesRequested: number, pending: number, agreement: number } } };

export type CircuitMetaQueryVariables = Exact<{
  slug: string;
}>;


export type CircuitMetaQuery = { circuit: { id: string, slug: string, title: string, teamId: string, visibility: Visibility, latestVersion: number, onlyVersion: number | null, status: CircuitStatus, approvedVersion: number | null, updatedAt: string, reviews: Array<{ id: string, version: number, state: ReviewState, comment: string | null, decidedAt: string | null, createdAt: string, reviewer: { id: string, displayName: string, email: string | null } | null, requestedBy: { id: string, displayName: string } | null }>, can: { comment: boolean, edit: boolean, manage: boolean }, createdBy: { id: string, displayName: string } | null, reviewAgreement: { approved: number, changesRequested: number, pending: number, agreement: number } } };

export type CircuitVersionsQueryVariables = Exact<{
  slug: string;
}>;


export type CircuitVersionsQuery = { circuit: { id: string, versions: Array<{ number: number, parent: number | null, message: string, createdAt: string, author: { id: string, displayName: string } | null }> } };

export type CircuitDiffQueryVariables = Exact<{
  slug: string;
  from: number;
  to: number;
}>;


export type CircuitDiffQuery = { circuit: { id: string, diff: { nodes: { added: Array<string>, removed: Array<string>, changed: Array<string> }, edges: { added: Array<string>, removed: Array<string>, changed: Array<string> }, annotations: { added: Array<string>, removed: Array<string>, changed: Array<string> } }, version: { number: number, graph: unknown, layout: unknown } } };

export type CreateCircuitMutationVariables = Exact<{
  input: CreateCircuitInput;
}>;


export type CreateCircuitMutation = { createCircuit: { id: string, slug: string, title: string, latestVersion: number } };

export type SaveCircuitVersionMutationVariables = Exact<{
  input: SaveVersionInput;
}>;


export type SaveCircuitVersionMutation = { saveCircuitVersion: { number: number, parent: number | null, message: string, createdAt: string } };

export type SetCircuitVisibilityMutationVariables = Exact<{
  circuitId: string | number;
  visibility: Visibility;
}>;


export type SetCircuitVisibilityMutation = { setCircuitVisibility: { id: string, visibility: Visibility } };

export type ShareLinksQueryVariables = Exact<{
  slug: string;
}>;


export type ShareLinksQuery = { circuit: { id: string, shareLinks: Array<{ id: string, version: number | null, permission: SharePermission, expiresAt: string | null, revokedAt: string | null, createdAt: string }> } };

export type CreateShareLinkMutationVariables = Exact<{
  input: CreateShareLinkInput;
}>;


export type CreateShareLinkMutation = { createShareLink: { token: string, path: string, link: { id: string, version: number | null, permission: SharePermission, expiresAt: string | null, revokedAt: string | null, createdAt: string } } };

export type RevokeShareLinkMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeShareLinkMutation = { revokeShareLink: { id: string, revokedAt: string | null } };

export type CircuitVotesQueryVariables = Exact<{
  slug: string;
}>;


export type CircuitVotesQuery = { circuit: { __typename: 'Circuit', id: string, score: number, myVote: number, can: { comment: boolean, edit: boolean, manage: boolean }, voteAgreement: { __typename: 'Agreement', up: number, down: number } } };

export type VoteCircuitMutationVariables = Exact<{
  circuitId: string | number;
  value: number;
}>;


export type VoteCircuitMutation = { voteCircuit: { __typename: 'Circuit', id: string, score: number, myVote: number, voteAgreement: { __typename: 'Agreement', up: number, down: number } } };

export type CircuitChangedSubscriptionVariables = Exact<{
  circuitId: string | number;
}>;


export type CircuitChangedSubscription = { circuitChanged: { kind: string, id: string | null, data: unknown } };

export type RequestReviewMutationVariables = Exact<{
  input: RequestReviewInput;
}>;


export type RequestReviewMutation = { requestReview: Array<{ id: string, state: ReviewState }> };

export type DecideReviewMutationVariables = Exact<{
  input: DecideReviewInput;
}>;


export type DecideReviewMutation = { decideReview: { id: string, state: ReviewState, comment: string | null, decidedAt: string | null } };

export type ReviewCardFieldsFragment = { id: string, version: number, state: ReviewState, comment: string | null, decidedAt: string | null, createdAt: string, requestedBy: { id: string, displayName: string } | null, reviewer: { id: string, displayName: string } | null, circuit: { __typename: 'Circuit', id: string, slug: string, title: string, status: CircuitStatus, approvedVersion: number | null, latestVersion: number, score: number, myVote: number, can: { comment: boolean, edit: boolean, manage: boolean }, voteAgreement: { __typename: 'Agreement', up: number, down: number } } | null };

export type ReviewQueueQueryVariables = Exact<{
  pendingOnly?: boolean | null | undefined;
}>;


export type ReviewQueueQuery = { reviewQueue: { edges: Array<{ node: { id: string, version: number, state: ReviewState, comment: string | null, decidedAt: string | null, createdAt: string, requestedBy: { id: string, displayName: string } | null, reviewer: { id: string, displayName: string } | null, circuit: { __typename: 'Circuit', id: string, slug: string, title: string, status: CircuitStatus, approvedVersion: number | null, latestVersion: number, score: number, myVote: number, can: { comment: boolean, edit: boolean, manage: boolean }, voteAgreement: { __typename: 'Agreement', up: number, down: number } } | null } }> } };

export type MyReviewRequestsQueryVariables = Exact<{
  pendingOnly?: boolean | null | undefined;
}>;


export type MyReviewRequestsQuery = { myReviewRequests: { edges: Array<{ node: { id: string, version: number, state: ReviewState, comment: string | null, decidedAt: string | null, createdAt: string, requestedBy: { id: string, displayName: string } | null, reviewer: { id: string, displayName: string } | null, circuit: { __typename: 'Circuit', id: string, slug: string, title: string, status: CircuitStatus, approvedVersion: number | null, latestVersion: number, score: number, myVote: number, can: { comment: boolean, edit: boolean, manage: boolean }, voteAgreement: { __typename: 'Agreement', up: number, down: number } } | null } }> } };

export type MyInboxSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MyInboxSubscription = { myInbox: { kind: string, id: string | null, data: unknown } };

export type UnreadNotificationCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadNotificationCountQuery = { unreadNotificationCount: number };

export type NotificationsQueryVariables = Exact<{
  unreadOnly?: boolean | null | undefined;
}>;


export type NotificationsQuery = { notifications: Array<{ id: string, kind: string, subject: string, path: string, excerpt: string | null, read: boolean, createdAt: string, data: unknown, actor: { id: string, displayName: string } | null }> };

export type MarkNotificationReadMutationVariables = Exact<{
  id: string | number;
}>;


export type MarkNotificationReadMutation = { markNotificationRead: { id: string, read: boolean } };

export type MarkAllNotificationsReadMutationVariables = Exact<{ [key: string]: never; }>;


export type MarkAllNotificationsReadMutation = { markAllNotificationsRead: number };

export type MentionCandidatesQueryVariables = Exact<{
  target: CommentTargetInput;
  search?: string | null | undefined;
}>;


export type MentionCandidatesQuery = { mentionCandidates: Array<{ id: string, displayName: string, email: string | null }> };

export type TeamQueryVariables = Exact<{
  id: string | number;
}>;


export type TeamQuery = { team: { id: string, name: string, slug: string, myRole: Role, labelAcceptVotes: number, createdAt: string, members: Array<{ role: Role, user: { id: string, email: string | null, displayName: string } }>, circuits: { edges: Array<{ node: { __typename: 'Circuit', id: string, slug: string, title: string, status: CircuitStatus, approvedVersion: number | null, visibility: Visibility, latestVersion: number, faithfulness: number | null, updatedAt: string, createdAt: string, score: number, myVote: number, createdBy: { id: string, displayName: string } | null, reviewAgreement: { approved: number, changesRequested: number, pending: number, agreement: number }, can: { comment: boolean, edit: boolean, manage: boolean }, voteAgreement: { __typename: 'Agreement', up: number, down: number } } }>, pageInfo: { hasNextPage: boolean } }, labels: { edges: Array<{ node: { id: string, name: string, status: LabelStatus, score: number, modelId: string, saeId: string, featureIndex: number, updatedAt: string } }>, pageInfo: { hasNextPage: boolean } }, activity: Array<{ id: string, action: string, subjectType: string, subjectId: string, data: unknown, createdAt: string, actor: { id: string, displayName: string } | null }>, can: { manageMembers: boolean, manageAdmins: boolean, changeSettings: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } } };

export type TeamChangedSubscriptionVariables = Exact<{
  teamId: string | number;
}>;


export type TeamChangedSubscription = { teamChanged: { kind: string, id: string | null, data: unknown } };

export type TeamMembersQueryVariables = Exact<{
  id: string | number;
}>;


export type TeamMembersQuery = { team: { id: string, members: Array<{ role: Role, user: { id: string, email: string | null, displayName: string } }> } };

export type SetLabelAcceptVotesMutationVariables = Exact<{
  teamId: string | number;
  votes: number;
}>;


export type SetLabelAcceptVotesMutation = { setLabelAcceptVotes: { id: string, labelAcceptVotes: number } };

export type AddTeamMemberMutationVariables = Exact<{
  input: AddMemberInput;
}>;


export type AddTeamMemberMutation = { addTeamMember: { role: Role, user: { id: string, email: string | null, displayName: string } } };

export type LabelFieldsFragment = { id: string, modelId: string, saeId: string, featureIndex: number, teamId: string, visibility: Visibility, status: LabelStatus, name: string, description: string, source: string | null, detectionScore: number | null, revision: number, revisedAt: string, score: number, myVote: number, createdAt: string, updatedAt: string, can: { vote: boolean, comment: boolean, addEvidence: boolean, edit: boolean }, author: { id: string, displayName: string } | null, agreement: { up: number, down: number, agreement: number } };

export type FeatureLabelsQueryVariables = Exact<{
  feature: FeatureKeyInput;
}>;


export type FeatureLabelsQuery = { featureLabels: { edges: Array<{ node: { id: string, modelId: string, saeId: string, featureIndex: number, teamId: string, visibility: Visibility, status: LabelStatus, name: string, description: string, source: string | null, detectionScore: number | null, revision: number, revisedAt: string, score: number, myVote: number, createdAt: string, updatedAt: string, can: { vote: boolean, comment: boolean, addEvidence: boolean, edit: boolean }, author: { id: string, displayName: string } | null, agreement: { up: number, down: number, agreement: number } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ShownLabelsQueryVariables = Exact<{
  features: Array<FeatureKeyInput> | FeatureKeyInput;
  teamId?: string | number | null | undefined;
}>;


export type ShownLabelsQuery = { shownLabels: Array<{ id: string, name: string, status: LabelStatus } | null> };

export type LabelRevisionsQueryVariables = Exact<{
  id: string | number;
}>;


export type LabelRevisionsQuery = { label: { id: string, revisions: Array<{ revision: number, name: string, description: string, createdAt: string, author: { id: string, displayName: string } | null }> } };

export type ProposeLabelMutationVariables = Exact<{
  input: ProposeLabelInput;
}>;


export type ProposeLabelMutation = { proposeLabel: { id: string, modelId: string, saeId: string, featureIndex: number, teamId: string, visibility: Visibility, status: LabelStatus, name: string, description: string, source: string | null, detectionScore: number | null, revision: number, revisedAt: string, score: number, myVote: number, createdAt: string, updatedAt: string, can: { vote: boolean, comment: boolean, addEvidence: boolean, edit: boolean }, author: { id: string, displayName: string } | null, agreement: { up: number, down: number, agreement: number } } };

export type EditLabelMutationVariables = Exact<{
  input: EditLabelInput;
}>;


export type EditLabelMutation = { editLabel: { id: string, modelId: string, saeId: string, featureIndex: number, teamId: string, visibility: Visibility, status: LabelStatus, name: string, description: string, source: string | null, detectionScore: number | null, revision: number, revisedAt: string, score: number, myVote: number, createdAt: string, updatedAt: string, can: { vote: boolean, comment: boolean, addEvidence: boolean, edit: boolean }, author: { id: string, displayName: string } | null, agreement: { up: number, down: number, agreement: number } } };

export type VoteLabelMutationVariables = Exact<{
  labelId: string | number;
  value: number;
}>;


export type VoteLabelMutation = { voteLabel: { id: string, modelId: string, saeId: string, featureIndex: number, teamId: string, visibility: Visibility, status: LabelStatus, name: string, description: string, source: string | null, detectionScore: number | null, revision: number, revisedAt: string, score: number, myVote: number, createdAt: string, updatedAt: string, can: { vote: boolean, comment: boolean, addEvidence: boolean, edit: boolean }, author: { id: string, displayName: string } | null, agreement: { up: number, down: number, agreement: number } } };

export type FeatureChangedSubscriptionVariables = Exact<{
  feature: FeatureKeyInput;
}>;


export type FeatureChangedSubscription = { featureChanged: { kind: string, id: string | null, data: unknown } };

export type CommentsQueryVariables = Exact<{
  target: CommentTargetInput;
}>;


export type CommentsQuery = { comments: { edges: Array<{ node: { id: string, targetType: CommentTargetType, targetKey: string, parentId: string | null, body: string, resolved: boolean, createdAt: string, author: { id: string, displayName: string } | null, resolvedBy: { id: string, displayName: string } | null } }> } };

export type AddCommentMutationVariables = Exact<{
  input: AddCommentInput;
}>;


export type AddCommentMutation = { addComment: { id: string, parentId: string | null, body: string } };

export type SetCommentResolvedMutationVariables = Exact<{
  id: string | number;
  resolved: boolean;
}>;


export type SetCommentResolvedMutation = { setCommentResolved: { id: string, resolved: boolean, resolvedBy: { id: string, displayName: string } | null } };

export type FeatureDashboardQueryVariables = Exact<{
  sae: string | number;
  index: number;
}>;


export type FeatureDashboardQuery = { featureDashboard: { maxActivation: number, density: number, histogram: unknown, topContexts: unknown, quantiles: unknown, topLogits: unknown, bottomLogits: unknown, corpus: string, createdAt: string } | null, me: { id: string } | null };

export type ComputeDashboardsMutationVariables = Exact<{
  model: string | number;
  sae: string | number;
}>;


export type ComputeDashboardsMutation = { computeDashboards: { id: string, status: JobStatus } };

export type TeamInvitationsQueryVariables = Exact<{
  id: string | number;
}>;


export type TeamInvitationsQuery = { team: { id: string, invitations: Array<{ id: string, role: Role, expiresAt: string, revokedAt: string | null, uses: number }> } };

export type CreateInvitationMutationVariables = Exact<{
  teamId: string | number;
  role?: Role | null | undefined;
  days?: number | null | undefined;
}>;


export type CreateInvitationMutation = { createInvitation: { path: string } };

export type RevokeInvitationMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeInvitationMutation = { revokeInvitation: { id: string, revokedAt: string | null } };

export type JobProgressSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type JobProgressSubscription = { jobProgress: { id: string, status: JobStatus, stage: string, percent: number, etaSeconds: number | null, error: string | null, result: unknown } };

export type EvaluateSelectionMutationVariables = Exact<{
  circuitId: string | number;
  version: number;
  nodeIds: Array<string> | string;
}>;


export type EvaluateSelectionMutation = { evaluateSelection: { id: string } };

export type ExplorerModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ExplorerModelsQuery = { models: Array<{ id: string, nLayers: number, contextLength: number, vocabulary: Array<string> | null, saes: Array<{ id: string, hook: string, dIn: number, dSae: number, architecture: string, encoderUrl: string }> }> };

export type ExplorerActivationsQueryVariables = Exact<{
  model: string | number;
  hook: string;
  text: string;
  sae?: string | number | null | undefined;
}>;


export type ExplorerActivationsQuery = { activations: { tokens: Array<string>, shape: Array<number>, data: string } };

export type InvitationPreviewQueryVariables = Exact<{
  token: string;
}>;


export type InvitationPreviewQuery = { invitation: { teamName: string, role: Role, expiresAt: string } };

export type AcceptInvitationMutationVariables = Exact<{
  token: string;
}>;


export type AcceptInvitationMutation = { acceptInvitation: { id: string, myRole: Role, can: { manageMembers: boolean, manageAdmins: boolean, createCircuits: boolean, computeCircuits: boolean, proposeLabels: boolean, participate: boolean } } };

export type BuilderModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type BuilderModelsQuery = { models: Array<{ id: string, nLayers: number, saes: Array<{ id: string, hook: string }>, transcoders: Array<{ id: string }> }> };

export type StartCircuitJobMutationVariables = Exact<{
  input: CircuitJobInput;
}>;


export type StartCircuitJobMutation = { startCircuitJob: { id: string, status: JobStatus } };
