import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ActivityEvent as ActivityEventParent, Circuit as CircuitParent, CircuitVersion as CircuitVersionParent, Comment as CommentParent, Evidence as EvidenceParent, FeatureDashboard as FeatureDashboardParent, FeatureLabel as FeatureLabelParent, InvitationPreview as InvitationPreviewParent, Job as JobParent, LabelRevision as LabelRevisionParent, Model as ModelParent, Notification as NotificationParent, Review as ReviewParent, Sae as SaeParent, ShareLink as ShareLinkParent, TeamInvitation as TeamInvitationParent, User as UserParent, TeamWithMyRole as TeamWithMyRoleParent, Transcoder as TranscoderParent } from '../parents.js';
import type { Context } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A point in time: an ISO-8601 (RFC 3339) date-time string, sent as UTC with milliseconds (2026-12-01T20:40:00.000Z). */
  DateTime: { input: Date; output: Date | string; }
  JSON: { input: unknown; output: unknown; }
};

export type Activations = {
  __typename?: 'Activations';
  centerResidual: Scalars['Boolean']['output'];
  /** Base64 of little-endian float32 values, row-major (token by token). */
  data: Scalars['String']['output'];
  dtype: Scalars['String']['output'];
  prependBos: Scalars['Boolean']['output'];
  /** [tokens, width] */
  shape: Array<Scalars['Int']['output']>;
  tokenIds: Array<Scalars['Int']['output']>;
  tokens: Array<Scalars['String']['output']>;
};

export type ActivityEvent = {
  __typename?: 'ActivityEvent';
  action: Scalars['String']['output'];
  actor?: Maybe<User>;
  createdAt: Scalars['DateTime']['output'];
  data: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  subjectId: Scalars['String']['output'];
  subjectType: Scalars['String']['output'];
};

export type AddCommentInput = {
  body: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
  target: CommentTargetInput;
};

export type AddMemberInput = {
  email: Scalars['String']['input'];
  role: Role;
  teamId: Scalars['ID']['input'];
};

export type Agreement = {
  __typename?: 'Agreement';
  agreement: Scalars['Float']['output'];
  down: Scalars['Int']['output'];
  up: Scalars['Int']['output'];
};

/** A change to something an open page shows. */
export type ChangeEvent = {
  __typename?: 'ChangeEvent';
  data: Scalars['JSON']['output'];
  id?: Maybe<Scalars['String']['output']>;
  kind: Scalars['String']['output'];
};

export type Circuit = {
  __typename?: 'Circuit';
  /** The newest version every one of its reviewers approved (an approval belongs to a version: a later save keeps it); null when none. */
  approvedVersion?: Maybe<Scalars['Int']['output']>;
  /** What myAccess lets the signed-in user (or share-link holder) do, from the server's policy table. */
  can: CircuitPermissions;
  /** Completeness recorded in the same graph (metrics.completeness); null when it has none. */
  completeness?: Maybe<Scalars['Float']['output']>;
  createdAt: Scalars['DateTime']['output'];
  createdBy?: Maybe<User>;
  diff: VersionDiff;
  /** Ablations saved as evidence on a version (all versions without one), oldest first; a version link sees its own. */
  evidence: Array<Evidence>;
  /** Faithfulness recorded in the graph (metrics.faithfulness) of the latest version, or of the one version a link grants; 1: the circuit alone recovers the model's behaviour. Null when the graph has none (imported graphs). */
  faithfulness?: Maybe<Scalars['Float']['output']>;
  forkedFromVersion?: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  latestVersion: Scalars['Int']['output'];
  myAccess: CircuitAccess;
  /** +1, -1 or 0: the signed-in user's vote on the circuit. */
  myVote: Scalars['Int']['output'];
  /** Set when access comes from a link for this one version. */
  onlyVersion?: Maybe<Scalars['Int']['output']>;
  reviewAgreement: ReviewAgreement;
  reviews: Array<Review>;
  /** Up votes minus down votes (votes are on the circuit, reviews on a version). */
  score: Scalars['Int']['output'];
  shareLinks: Array<ShareLink>;
  slug: Scalars['String']['output'];
  /** The latest version's status (from its reviews). */
  status: CircuitStatus;
  teamId: Scalars['ID']['output'];
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
  version: CircuitVersion;
  versions: Array<CircuitVersion>;
  visibility: Visibility;
  /** Up and down votes on the circuit. */
  voteAgreement: Agreement;
};


export type CircuitDiffArgs = {
  from: Scalars['Int']['input'];
  to: Scalars['Int']['input'];
};


export type CircuitEvidenceArgs = {
  version?: InputMaybe<Scalars['Int']['input']>;
};


export type CircuitVersionArgs = {
  number?: InputMaybe<Scalars['Int']['input']>;
};

/** What the signed-in user (or share link) may do with a circuit. */
export type CircuitAccess =
  | 'COMMENT'
  | 'EDIT'
  | 'MANAGE'
  | 'VIEW';

export type CircuitConnection = {
  __typename?: 'CircuitConnection';
  edges: Array<CircuitEdge>;
  pageInfo: PageInfo;
};

export type CircuitEdge = {
  __typename?: 'CircuitEdge';
  cursor: Scalars['String']['output'];
  node: Circuit;
};

/** What to compute a sparse feature circuit for (Marks et al. 2024). Give a dataset name or pairs. */
export type CircuitJobInput = {
  /** position (default) or sum. */
  aggregation?: InputMaybe<Scalars['String']['input']>;
  /** simple, nounpp, within_rc or rc (held-out generated pairs). */
  dataset?: InputMaybe<Scalars['String']['input']>;
  edgeThreshold?: InputMaybe<Scalars['Float']['input']>;
  maxNodes?: InputMaybe<Scalars['Int']['input']>;
  /** ig (integrated gradients, default), atp (attribution patching) or exact (activation patching, a forward pass per node and pair: small models). */
  method?: InputMaybe<Scalars['String']['input']>;
  model: Scalars['ID']['input'];
  /** Pairs taken from the dataset (default 20); given pairs are all used. */
  n?: InputMaybe<Scalars['Int']['input']>;
  nodeThreshold?: InputMaybe<Scalars['Float']['input']>;
  pairs?: InputMaybe<Array<PromptPairInput>>;
  /** Default: every SAE of the model. */
  saes?: InputMaybe<Array<Scalars['ID']['input']>>;
  steps?: InputMaybe<Scalars['Int']['input']>;
  teamId: Scalars['ID']['input'];
  title: Scalars['String']['input'];
  visibility?: InputMaybe<Visibility>;
};

export type CircuitPermissions = {
  __typename?: 'CircuitPermissions';
  /** Comment, and vote on the circuit. */
  comment: Scalars['Boolean']['output'];
  /** Save versions and request reviews. */
  edit: Scalars['Boolean']['output'];
  /** Change visibility and manage share links. */
  manage: Scalars['Boolean']['output'];
};

export type CircuitStatus =
  | 'APPROVED'
  | 'CHANGES_REQUESTED'
  | 'DRAFT'
  | 'IN_REVIEW';

export type CircuitVersion = {
  __typename?: 'CircuitVersion';
  annotations: Scalars['JSON']['output'];
  author?: Maybe<User>;
  createdAt: Scalars['DateTime']['output'];
  graph: Scalars['JSON']['output'];
  groups: Scalars['JSON']['output'];
  layout: Scalars['JSON']['output'];
  message: Scalars['String']['output'];
  number: Scalars['Int']['output'];
  parent?: Maybe<Scalars['Int']['output']>;
};

export type Comment = {
  __typename?: 'Comment';
  author?: Maybe<User>;
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
  resolved: Scalars['Boolean']['output'];
  resolvedBy?: Maybe<User>;
  targetKey: Scalars['String']['output'];
  targetType: CommentTargetType;
};

export type CommentConnection = {
  __typename?: 'CommentConnection';
  edges: Array<CommentEdge>;
  pageInfo: PageInfo;
};

export type CommentEdge = {
  __typename?: 'CommentEdge';
  cursor: Scalars['String']['output'];
  node: Comment;
};

/** Where a comment lives: a feature, a label, a circuit, or one node or edge of a circuit. */
export type CommentTargetInput = {
  circuitId?: InputMaybe<Scalars['ID']['input']>;
  edgeId?: InputMaybe<Scalars['String']['input']>;
  featureIndex?: InputMaybe<Scalars['Int']['input']>;
  labelId?: InputMaybe<Scalars['ID']['input']>;
  modelId?: InputMaybe<Scalars['String']['input']>;
  nodeId?: InputMaybe<Scalars['String']['input']>;
  saeId?: InputMaybe<Scalars['String']['input']>;
  /** FEATURE only: the team whose members see the thread (omit for a public thread). */
  teamId?: InputMaybe<Scalars['ID']['input']>;
  type: CommentTargetType;
};

export type CommentTargetType =
  | 'CIRCUIT'
  | 'EDGE'
  | 'FEATURE'
  | 'LABEL'
  | 'NODE';

export type CreateCircuitInput = {
  annotations?: InputMaybe<Scalars['JSON']['input']>;
  graph: Scalars['JSON']['input'];
  groups?: InputMaybe<Scalars['JSON']['input']>;
  layout?: InputMaybe<Scalars['JSON']['input']>;
  message?: InputMaybe<Scalars['String']['input']>;
  teamId: Scalars['ID']['input'];
  title: Scalars['String']['input'];
  visibility?: InputMaybe<Visibility>;
};

export type CreateShareLinkInput = {
  circuitId: Scalars['ID']['input'];
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  permission: SharePermission;
  /** Omit to share every version. */
  version?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateTeamInput = {
  name: Scalars['String']['input'];
};

export type CreatedInvitation = {
  __typename?: 'CreatedInvitation';
  invitation: TeamInvitation;
  /** Path to share: /invite/{token} */
  path: Scalars['String']['output'];
  token: Scalars['String']['output'];
};

export type CreatedShareLink = {
  __typename?: 'CreatedShareLink';
  link: ShareLink;
  /** Path to open: /c/{slug}[/v/{n}]?share={token} */
  path: Scalars['String']['output'];
  /** Shown once: keep it; only a hash is stored. */
  token: Scalars['String']['output'];
};

export type DecideReviewInput = {
  comment?: InputMaybe<Scalars['String']['input']>;
  decision: ReviewState;
  reviewId: Scalars['ID']['input'];
};

export type EditLabelInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  labelId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};

/**
 * An intervention saved as evidence for a claim, with the inputs that re-run it. kind steer (on a label): inputs are
 * steerFeature's arguments, result its SteeringResult; kind ablate (on a circuit version): inputs are ablateSelection's
 * arguments, result its job's result.
 */
export type Evidence = {
  __typename?: 'Evidence';
  author?: Maybe<User>;
  circuitId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  inputs: Scalars['JSON']['output'];
  kind: Scalars['String']['output'];
  labelId?: Maybe<Scalars['ID']['output']>;
  result: Scalars['JSON']['output'];
  version?: Maybe<Scalars['Int']['output']>;
};

/** What one SAE feature does over a corpus: strongest contexts, activation quantiles, density, logit effects. */
export type FeatureDashboard = {
  __typename?: 'FeatureDashboard';
  bottomLogits: Scalars['JSON']['output'];
  corpus: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Share of corpus tokens on which the feature fires. */
  density: Scalars['Float']['output'];
  featureIndex: Scalars['Int']['output'];
  /** { edges: [bins + 1], counts: [bins] } over non-zero activations, log-spaced. */
  histogram: Scalars['JSON']['output'];
  maxActivation: Scalars['Float']['output'];
  /** [{ from, to, contexts }] from weak to strong activations. */
  quantiles: Scalars['JSON']['output'];
  saeId: Scalars['ID']['output'];
  /** [{ tokens: [String], values: [Float], max }], strongest first. */
  topContexts: Scalars['JSON']['output'];
  topLogits: Scalars['JSON']['output'];
};

export type FeatureKeyInput = {
  featureIndex: Scalars['Int']['input'];
  modelId: Scalars['String']['input'];
  saeId: Scalars['String']['input'];
};

export type FeatureLabel = {
  __typename?: 'FeatureLabel';
  agreement: Agreement;
  author?: Maybe<User>;
  /** What the signed-in user may do with this label, from the server's policy table (the mutations check the same). */
  can: LabelPermissions;
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  /** An LLM draft's detection score: balanced accuracy (0 to 1; 0.5 is chance) of the model telling held-out contexts the feature fires on from others, given the label. null for any other label, and for a draft whose test could not run. */
  detectionScore?: Maybe<Scalars['Float']['output']>;
  /** Steering runs saved on the label as evidence, oldest first. */
  evidence: Array<Evidence>;
  featureIndex: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  modelId: Scalars['String']['output'];
  /** +1, -1 or 0: the signed-in user's vote. */
  myVote: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  /** When the current revision was written (votes do not move it; updatedAt does). */
  revisedAt: Scalars['DateTime']['output'];
  revision: Scalars['Int']['output'];
  revisions: Array<LabelRevision>;
  saeId: Scalars['String']['output'];
  /** Up votes minus down votes, the author's own included (acceptance counts only other people's). */
  score: Scalars['Int']['output'];
  /** Where an imported or machine-written label came from (JSON: format, line, the original ids, importer; for a draft, LLM with the model's name or TOKEN_PATTERN, and its detection test); null when made here. */
  source?: Maybe<Scalars['String']['output']>;
  status: LabelStatus;
  teamId: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
  visibility: Visibility;
};

export type FeatureLabelConnection = {
  __typename?: 'FeatureLabelConnection';
  edges: Array<FeatureLabelEdge>;
  pageInfo: PageInfo;
};

export type FeatureLabelEdge = {
  __typename?: 'FeatureLabelEdge';
  cursor: Scalars['String']['output'];
  node: FeatureLabel;
};

export type ForkCircuitInput = {
  circuitId: Scalars['ID']['input'];
  teamId: Scalars['ID']['input'];
  title?: InputMaybe<Scalars['String']['input']>;
  version?: InputMaybe<Scalars['Int']['input']>;
};

export type IdChanges = {
  __typename?: 'IdChanges';
  added: Array<Scalars['String']['output']>;
  changed: Array<Scalars['String']['output']>;
  removed: Array<Scalars['String']['output']>;
};

export type ImportLabelsInput = {
  /** true (default): report what would change and write nothing. */
  dryRun?: InputMaybe<Scalars['Boolean']['input']>;
  format: LabelImportFormat;
  /** The model the file's features belong to (FEATURE_CIRCUITS files do not say; CSV rows without a model column). */
  modelId?: InputMaybe<Scalars['String']['input']>;
  teamId: Scalars['ID']['input'];
  /** The file's text (at most 5,000,000 characters, 20,000 labels). */
  text: Scalars['String']['input'];
  visibility?: InputMaybe<Visibility>;
};

export type InvitationPreview = {
  __typename?: 'InvitationPreview';
  expiresAt: Scalars['DateTime']['output'];
  role: Role;
  teamName: Scalars['String']['output'];
};

/** A long computation (a circuit, feature dashboards) with its progress. */
export type Job = {
  __typename?: 'Job';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  error?: Maybe<Scalars['String']['output']>;
  etaSeconds?: Maybe<Scalars['Float']['output']>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
  percent: Scalars['Float']['output'];
  result?: Maybe<Scalars['JSON']['output']>;
  stage: Scalars['String']['output'];
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: JobStatus;
};

export type JobStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** Whether labels are drafted by an LLM here, which and where, and explain jobs' request cap. */
export type LabelDrafting = {
  __typename?: 'LabelDrafting';
  defaultMaxRequests: Scalars['Int']['output'];
  /** The endpoint's origin (scheme, host, port). */
  endpoint?: Maybe<Scalars['String']['output']>;
  /** LLM_BASE_URL and LLM_MODEL are set: explain jobs send features' contexts to that endpoint. Otherwise drafts come from token patterns and nothing leaves the server. */
  llmConfigured: Scalars['Boolean']['output'];
  maxRequestsCap: Scalars['Int']['output'];
  model?: Maybe<Scalars['String']['output']>;
};

/** A team's labels as a file: JSON with revisions and votes, or CSV (one row per label, revisions and votes as JSON). */
export type LabelExport = {
  __typename?: 'LabelExport';
  contentType: Scalars['String']['output'];
  filename: Scalars['String']['output'];
  text: Scalars['String']['output'];
};

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

/** A line of an import file: an error (what is wrong, in which field) or why it was skipped. */
export type LabelImportProblem = {
  __typename?: 'LabelImportProblem';
  field: Scalars['String']['output'];
  line: Scalars['Int']['output'];
  message: Scalars['String']['output'];
};

export type LabelImportReport = {
  __typename?: 'LabelImportReport';
  /** Labels created, or in a dry run that would be. */
  created: Scalars['Int']['output'];
  dryRun: Scalars['Boolean']['output'];
  errorCount: Scalars['Int']['output'];
  /** A real import with any error writes nothing. The first 200 are listed; errorCount counts all. */
  errors: Array<LabelImportProblem>;
  /** The first 100 labels created (or that would be). */
  preview: Array<LabelImportRow>;
  /** Lines not imported: the team already has the label, an earlier line has it, or a feature has no explanations. */
  skipped: Scalars['Int']['output'];
  skippedRows: Array<LabelImportProblem>;
};

/** A label an import creates (or would), mapped to this app's feature ids. */
export type LabelImportRow = {
  __typename?: 'LabelImportRow';
  description: Scalars['String']['output'];
  featureIndex: Scalars['Int']['output'];
  line: Scalars['Int']['output'];
  modelId: Scalars['String']['output'];
  name: Scalars['String']['output'];
  saeId: Scalars['String']['output'];
};

export type LabelPermissions = {
  __typename?: 'LabelPermissions';
  /** saveSteeringEvidence on the label (the same people as vote). */
  addEvidence: Scalars['Boolean']['output'];
  /** Comments on the label (the same people as vote). */
  comment: Scalars['Boolean']['output'];
  /** editLabel (a new revision): members, admins and owners of the label's team. */
  edit: Scalars['Boolean']['output'];
  /** voteLabel: the team's members; on a public label, anyone signed in (the team's viewers too). */
  vote: Scalars['Boolean']['output'];
};

export type LabelRevision = {
  __typename?: 'LabelRevision';
  author?: Maybe<User>;
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  name: Scalars['String']['output'];
  revision: Scalars['Int']['output'];
};

export type LabelSearchHit = {
  __typename?: 'LabelSearchHit';
  label: FeatureLabel;
  /** ts_rank of the label's name and description against the words. */
  rank: Scalars['Float']['output'];
};

export type LabelStatus =
  | 'ACCEPTED'
  | 'DISPUTED'
  | 'PROPOSED';

/** The walkthrough's demo circuit (/learn): the seed article's pair on the bundled demo model. */
export type LearnCircuit = {
  __typename?: 'LearnCircuit';
  /** With its leading space, as the model reads it (the token ' runs'). */
  cleanAnswer: Scalars['String']['output'];
  cleanPrefix: Scalars['String']['output'];
  /** The circuit file (schema workbench.circuit), the same as a circuit job stores; createCircuit saves it to a team. */
  graph: Scalars['JSON']['output'];
  model: Scalars['ID']['output'];
  patchAnswer: Scalars['String']['output'];
  patchPrefix: Scalars['String']['output'];
};

export type Member = {
  __typename?: 'Member';
  role: Role;
  user: User;
};

/** A language model the app can run (the bundled demo, or one fetched with npm run models). */
export type Model = {
  __typename?: 'Model';
  contextLength: Scalars['Int']['output'];
  dModel: Scalars['Int']['output'];
  fileHash: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  nHeads: Scalars['Int']['output'];
  nLayers: Scalars['Int']['output'];
  saes: Array<Sae>;
  source: Scalars['String']['output'];
  /** Transcoders of the model's MLPs (each reads blocks.L.ln2.hook_normalized and predicts blocks.L.hook_mlp_out). */
  transcoders: Array<Transcoder>;
  vocabSize: Scalars['Int']['output'];
  /**
   * A word-level vocabulary's words as typed (a leading space where the token has one, e.g. " girls"), sorted; null
   * for subword tokenizers (GPT-2's), which spell any text.
   */
  vocabulary?: Maybe<Array<Scalars['String']['output']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Ablates (mode mean: to their per-position means over the patch prompts, as the circuit's evaluation does; zero)
   * or patches (patch: to their values on each pair's patch prompt) nodes of a circuit version on its prompt pairs,
   * everything else kept. A job; its result has the metric per pair before and after, and the means.
   */
  ablateSelection: Job;
  /** Joins with the link's role (keeping a higher one); the same errors as the invitation query. */
  acceptInvitation: Team;
  addComment: Comment;
  /** Adds someone or changes their role: admins for members and viewers, owners for admins and owners. */
  addTeamMember: Member;
  cancelJob: Job;
  /**
   * Computes dashboards for every feature of an SAE (sae), or of several SAEs of the model in one pass (saes; with
   * sae too, both), over a corpus (demo, or a .txt in the corpora folder).
   */
  computeDashboards: Job;
  createCircuit: Circuit;
  /** role: ADMIN (owners only), MEMBER or VIEWER; days: 1-90 (default 7). */
  createInvitation: CreatedInvitation;
  createShareLink: CreatedShareLink;
  createTeam: Team;
  decideReview: Review;
  /** Members: a proposed label from the feature's dashboard: the tokens it fires on most and those it promotes (no LLM). */
  draftLabelFromTokenPattern: FeatureLabel;
  editLabel: FeatureLabel;
  /** Scores any node set of a circuit version (faithfulness, completeness) on the pairs it was computed from. */
  evaluateSelection: Job;
  /**
   * Members: drafts labels as proposed labels by the caller, marked machine-written: for one feature (featureIndex)
   * or every feature of the SAE its dashboards show firing. With an LLM configured (labelDrafting) the job sends each
   * feature's top and quantile contexts to it and scores each draft by detection, making at most maxRequests HTTP
   * requests (default and cap in labelDrafting); without one it writes token-pattern drafts. Features the team
   * already has such a draft of are skipped. A job: follow it with jobProgress.
   */
  explainFeatures: Job;
  forkCircuit: Circuit;
  /** Members: labels from a file as proposed labels by the importer, each with its source; a dry run by default. */
  importLabels: LabelImportReport;
  /** Marks all my notifications read; returns how many were unread. */
  markAllNotificationsRead: Scalars['Int']['output'];
  /** Marks one of my notifications read. */
  markNotificationRead: Notification;
  proposeLabel: FeatureLabel;
  /** Removes a member (your own id: leaves the team). Admins remove members and viewers, owners anyone; the last owner stays. */
  removeTeamMember: Scalars['Boolean']['output'];
  requestReview: Array<Review>;
  revokeInvitation: TeamInvitation;
  revokeShareLink: ShareLink;
  /** Saves a finished ablateSelection job of this circuit version as evidence on it (whoever may comment on the circuit). */
  saveAblationEvidence: Evidence;
  saveCircuitVersion: CircuitVersion;
  /**
   * Saves a steering run of the label's feature as evidence on the label (whoever may comment on it). The server runs
   * it (steerFeature's arguments, the label naming model, SAE and feature) and saves the inputs and its result.
   */
  saveSteeringEvidence: Evidence;
  setCircuitVisibility: Circuit;
  setCommentResolved: Comment;
  /** Admins and owners: how many people other than a label's author must vote it up to accept it (1-50). Recounts the team's labels. */
  setLabelAcceptVotes: Team;
  signIn: User;
  /** Ends the current session; true even when there was none. */
  signOut: Scalars['Boolean']['output'];
  /** Creates an account and signs in (sets the session cookie). */
  signUp: User;
  /** Computes a circuit in the background; the job's result names the circuit it stored. */
  startCircuitJob: Job;
  /** Computes a one-prompt attribution graph in the background, stored as a circuit; the job's result names it. */
  startPromptGraphJob: Job;
  /** Runs the job pipeline's health check: counts steps with progress. */
  startSelftestJob: Job;
  /** Whoever may comment may vote. value: 1 up, -1 down, 0 withdraw. Repeating a vote changes nothing. */
  voteCircuit: Circuit;
  /** value: 1 up, -1 down, 0 withdraw. Repeating a vote changes nothing. */
  voteLabel: FeatureLabel;
};


export type MutationAblateSelectionArgs = {
  circuitId: Scalars['ID']['input'];
  mode: Scalars['String']['input'];
  nodeIds: Array<Scalars['String']['input']>;
  version: Scalars['Int']['input'];
};


export type MutationAcceptInvitationArgs = {
  token: Scalars['String']['input'];
};


export type MutationAddCommentArgs = {
  input: AddCommentInput;
};


export type MutationAddTeamMemberArgs = {
  input: AddMemberInput;
};


export type MutationCancelJobArgs = {
  id: Scalars['ID']['input'];
};


export type MutationComputeDashboardsArgs = {
  corpus?: InputMaybe<Scalars['String']['input']>;
  maxContexts?: InputMaybe<Scalars['Int']['input']>;
  model: Scalars['ID']['input'];
  sae?: InputMaybe<Scalars['ID']['input']>;
  saes?: InputMaybe<Array<Scalars['ID']['input']>>;
};


export type MutationCreateCircuitArgs = {
  input: CreateCircuitInput;
};


export type MutationCreateInvitationArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
  role?: InputMaybe<Role>;
  teamId: Scalars['ID']['input'];
};


export type MutationCreateShareLinkArgs = {
  input: CreateShareLinkInput;
};


export type MutationCreateTeamArgs = {
  input: CreateTeamInput;
};


export type MutationDecideReviewArgs = {
  input: DecideReviewInput;
};


export type MutationDraftLabelFromTokenPatternArgs = {
  featureIndex: Scalars['Int']['input'];
  model: Scalars['ID']['input'];
  sae: Scalars['ID']['input'];
  teamId: Scalars['ID']['input'];
  visibility?: InputMaybe<Visibility>;
};


export type MutationEditLabelArgs = {
  input: EditLabelInput;
};


export type MutationEvaluateSelectionArgs = {
  circuitId: Scalars['ID']['input'];
  nodeIds: Array<Scalars['String']['input']>;
  version: Scalars['Int']['input'];
};


export type MutationExplainFeaturesArgs = {
  featureIndex?: InputMaybe<Scalars['Int']['input']>;
  maxRequests?: InputMaybe<Scalars['Int']['input']>;
  model: Scalars['ID']['input'];
  sae: Scalars['ID']['input'];
  teamId: Scalars['ID']['input'];
  visibility?: InputMaybe<Visibility>;
};


export type MutationForkCircuitArgs = {
  input: ForkCircuitInput;
};


export type MutationImportLabelsArgs = {
  input: ImportLabelsInput;
};


export type MutationMarkNotificationReadArgs = {
  id: Scalars['ID']['input'];
};


export type MutationProposeLabelArgs = {
  input: ProposeLabelInput;
};


export type MutationRemoveTeamMemberArgs = {
  teamId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


export type MutationRequestReviewArgs = {
  input: RequestReviewInput;
};


export type MutationRevokeInvitationArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeShareLinkArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSaveAblationEvidenceArgs = {
  circuitId: Scalars['ID']['input'];
  jobId: Scalars['ID']['input'];
  version: Scalars['Int']['input'];
};


export type MutationSaveCircuitVersionArgs = {
  input: SaveVersionInput;
};


export type MutationSaveSteeringEvidenceArgs = {
  compareTokens?: InputMaybe<Array<Scalars['String']['input']>>;
  continuation?: InputMaybe<Scalars['Int']['input']>;
  freezeAttention?: InputMaybe<Scalars['Boolean']['input']>;
  labelId: Scalars['ID']['input'];
  positions?: InputMaybe<Array<Scalars['Int']['input']>>;
  strength: Scalars['Float']['input'];
  text: Scalars['String']['input'];
};


export type MutationSetCircuitVisibilityArgs = {
  circuitId: Scalars['ID']['input'];
  visibility: Visibility;
};


export type MutationSetCommentResolvedArgs = {
  id: Scalars['ID']['input'];
  resolved: Scalars['Boolean']['input'];
};


export type MutationSetLabelAcceptVotesArgs = {
  teamId: Scalars['ID']['input'];
  votes: Scalars['Int']['input'];
};


export type MutationSignInArgs = {
  input: SignInInput;
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationStartCircuitJobArgs = {
  input: CircuitJobInput;
};


export type MutationStartPromptGraphJobArgs = {
  input: PromptGraphJobInput;
};


export type MutationStartSelftestJobArgs = {
  failAt?: InputMaybe<Scalars['Int']['input']>;
  stepMs?: InputMaybe<Scalars['Int']['input']>;
  steps?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationVoteCircuitArgs = {
  circuitId: Scalars['ID']['input'];
  value: Scalars['Int']['input'];
};


export type MutationVoteLabelArgs = {
  labelId: Scalars['ID']['input'];
  value: Scalars['Int']['input'];
};

/** A next token after the text: its logit and softmax probability. */
export type NextToken = {
  __typename?: 'NextToken';
  logit: Scalars['Float']['output'];
  probability: Scalars['Float']['output'];
  token: Scalars['String']['output'];
  /** The token's id (not named id: the same token in both runs is two different answers, not one cached object). */
  tokenId: Scalars['Int']['output'];
};

/** Something for the signed-in user's inbox; only its recipient ever sees it. */
export type Notification = {
  __typename?: 'Notification';
  /** Who did it. */
  actor?: Maybe<User>;
  commentId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  data: Scalars['JSON']['output'];
  /** The comment or the review's comment, shortened. */
  excerpt?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** mention, reply (to your comment), review_requested (of you) or review_decided (on your circuit or request). */
  kind: Scalars['String']['output'];
  /** Where to open it: the exact node or edge (/c/{slug}?sel={id}), label (#label-{id}), feature thread or version. */
  path: Scalars['String']['output'];
  read: Scalars['Boolean']['output'];
  /** What it is about, in words: node L1/res/3 of “Agreement”, v2 of “Agreement”, label “plural subject” of … */
  subject: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/**
 * What to compute a one-prompt attribution graph for (circuit-tracer's method, Ameisen et al. 2025): every MLP
 * replaced by a transcoder, edges pruned by influence on the top next-token logits. No counterfactual needed.
 */
export type PromptGraphJobInput = {
  /** Keep edges up to this share of the edge influence, 0-1 (default 0.98). */
  edgeThreshold?: InputMaybe<Scalars['Float']['input']>;
  /** At most this many transcoder feature nodes, chosen by influence (default 7500). */
  maxFeatureNodes?: InputMaybe<Scalars['Int']['input']>;
  model: Scalars['ID']['input'];
  /** Keep nodes up to this share of the influence on the logits, 0-1 (default 0.8). */
  nodeThreshold?: InputMaybe<Scalars['Float']['input']>;
  /** The prompt (at most 2,000 characters, and within the model's context). */
  prompt: Scalars['String']['input'];
  teamId: Scalars['ID']['input'];
  title: Scalars['String']['input'];
  /** A transcoder set of the model: Transcoder.id up to its last '/' (the demo's: demo). Default: the first with a transcoder for every layer. */
  transcoders?: InputMaybe<Scalars['String']['input']>;
  visibility?: InputMaybe<Visibility>;
};

export type PromptPairInput = {
  /** With a leading space (e.g. ' is'); one token for the model. */
  clean_answer: Scalars['String']['input'];
  clean_prefix: Scalars['String']['input'];
  patch_answer: Scalars['String']['input'];
  patch_prefix: Scalars['String']['input'];
};

export type ProposeLabelInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  featureIndex: Scalars['Int']['input'];
  modelId: Scalars['String']['input'];
  name: Scalars['String']['input'];
  saeId: Scalars['String']['input'];
  teamId: Scalars['ID']['input'];
  visibility?: InputMaybe<Visibility>;
};

export type Query = {
  __typename?: 'Query';
  /** Activations at one hook; with sae, the SAE's conventions (BOS, centring) apply. */
  activations: Activations;
  /**
   * A circuit by its short slug (/c/{slug}); share tokens come in the x-share-token header. NOT_FOUND when the caller
   * may not see it; SHARE_LINK_EXPIRED (with expiredAt) when only an expired share link they sent would have opened it.
   */
  circuit: Circuit;
  comments: CommentConnection;
  /** All the team's labels with their revisions and votes, as a file (members and viewers). */
  exportLabels: LabelExport;
  /** null until dashboards were computed for this SAE. */
  featureDashboard?: Maybe<FeatureDashboard>;
  featureLabels: FeatureLabelConnection;
  /**
   * What an invitation link offers (no sign-in needed: the token is the secret). NOT_FOUND for an unknown or revoked
   * token; INVITATION_EXPIRED (with expiredAt) for an expired one.
   */
  invitation: InvitationPreview;
  job: Job;
  label: FeatureLabel;
  /** How labels are drafted here (LLM or token pattern), and explain jobs' request cap. */
  labelDrafting: LabelDrafting;
  /**
   * The walkthrough's demo circuit: "The cat" -> " runs" vs "The cats" -> " run" on the bundled demo model
   * (integrated gradients, the circuit job's defaults), computed once per server. Public, signed out too;
   * rate-limited like activations.
   */
  learnCircuit: LearnCircuit;
  /** The signed-in user, or null. */
  me?: Maybe<User>;
  /** Teammates I may @mention on a target (people who may read it), matching search in display name or email. */
  mentionCandidates: Array<User>;
  model: Model;
  models: Array<Model>;
  /** Reviews I asked others for, pending first. */
  myReviewRequests: ReviewConnection;
  /** Teams the signed-in user belongs to. */
  myTeams: Array<Team>;
  /** My inbox, newest first (at most 200). */
  notifications: Array<Notification>;
  /** Reviews assigned to me, pending first. */
  reviewQueue: ReviewConnection;
  /** How much of an SAE the team (or, without teamId, the public) has labeled. */
  saeCoverage: SaeCoverage;
  saeFeatureNeighbours: SaeFeatureNeighbours;
  /**
   * Every feature of an SAE, sorted and filtered, by pages (first at most 100; after a cursor, or offset to jump).
   * With teamId (its members only): the team's labels and circuits; without: public labels and no circuits.
   */
  saeFeatures: SaeFeatureConnection;
  /** Labels by words in their name and description (English full text, ranked): public ones and the viewer's teams'. */
  searchLabels: Array<LabelSearchHit>;
  /**
   * The label each feature shows on a graph, in the order asked (null where none): the team's accepted label, else
   * any accepted one, else the best-scored proposed one; never a disputed one. At most 5000 features.
   */
  shownLabels: Array<Maybe<ShownLabel>>;
  /**
   * Runs the text with the feature's decoder direction x strength x its max activation added at the SAE's hook
   * (|strength| <= 100; positions: token indices, none for all), beside the unsteered run: top next tokens, the
   * logit difference of compareTokens (two single tokens, e.g. [" are", " is"]) and a greedy continuation of up to
   * 20 tokens (default 10). A model run: rate-limited like activations.
   */
  steerFeature: SteeringResult;
  team: Team;
  tokenize: Tokenization;
  /** How many of my notifications are unread (the header's badge). */
  unreadNotificationCount: Scalars['Int']['output'];
};


export type QueryActivationsArgs = {
  hook: Scalars['String']['input'];
  model: Scalars['ID']['input'];
  prependBos?: InputMaybe<Scalars['Boolean']['input']>;
  sae?: InputMaybe<Scalars['ID']['input']>;
  text: Scalars['String']['input'];
};


export type QueryCircuitArgs = {
  slug: Scalars['String']['input'];
};


export type QueryCommentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  target: CommentTargetInput;
};


export type QueryExportLabelsArgs = {
  format: LabelExportFormat;
  teamId: Scalars['ID']['input'];
};


export type QueryFeatureDashboardArgs = {
  featureIndex: Scalars['Int']['input'];
  sae: Scalars['ID']['input'];
};


export type QueryFeatureLabelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  feature: FeatureKeyInput;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryInvitationArgs = {
  token: Scalars['String']['input'];
};


export type QueryJobArgs = {
  id: Scalars['ID']['input'];
};


export type QueryLabelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMentionCandidatesArgs = {
  search?: InputMaybe<Scalars['String']['input']>;
  target: CommentTargetInput;
};


export type QueryModelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMyReviewRequestsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  pendingOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryNotificationsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  unreadOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryReviewQueueArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  pendingOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QuerySaeCoverageArgs = {
  model: Scalars['ID']['input'];
  sae: Scalars['ID']['input'];
  teamId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySaeFeatureNeighboursArgs = {
  featureIndex: Scalars['Int']['input'];
  filter?: InputMaybe<SaeFeatureFilter>;
  model: Scalars['ID']['input'];
  sae: Scalars['ID']['input'];
  sort?: InputMaybe<SaeFeatureSort>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySaeFeaturesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<SaeFeatureFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  model: Scalars['ID']['input'];
  offset?: InputMaybe<Scalars['Int']['input']>;
  sae: Scalars['ID']['input'];
  sort?: InputMaybe<SaeFeatureSort>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySearchLabelsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  query: Scalars['String']['input'];
};


export type QueryShownLabelsArgs = {
  features: Array<FeatureKeyInput>;
  teamId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySteerFeatureArgs = {
  compareTokens?: InputMaybe<Array<Scalars['String']['input']>>;
  continuation?: InputMaybe<Scalars['Int']['input']>;
  feature: Scalars['Int']['input'];
  freezeAttention?: InputMaybe<Scalars['Boolean']['input']>;
  model: Scalars['ID']['input'];
  positions?: InputMaybe<Array<Scalars['Int']['input']>>;
  sae: Scalars['ID']['input'];
  strength: Scalars['Float']['input'];
  text: Scalars['String']['input'];
};


export type QueryTeamArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTokenizeArgs = {
  model: Scalars['ID']['input'];
  text: Scalars['String']['input'];
};

export type RequestReviewInput = {
  circuitId: Scalars['ID']['input'];
  reviewerIds: Array<Scalars['ID']['input']>;
  version?: InputMaybe<Scalars['Int']['input']>;
};

export type Review = {
  __typename?: 'Review';
  circuit?: Maybe<Circuit>;
  comment?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  decidedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  requestedBy?: Maybe<User>;
  reviewer?: Maybe<User>;
  state: ReviewState;
  version: Scalars['Int']['output'];
};

export type ReviewAgreement = {
  __typename?: 'ReviewAgreement';
  agreement: Scalars['Float']['output'];
  approved: Scalars['Int']['output'];
  changesRequested: Scalars['Int']['output'];
  pending: Scalars['Int']['output'];
};

export type ReviewConnection = {
  __typename?: 'ReviewConnection';
  edges: Array<ReviewEdge>;
  pageInfo: PageInfo;
};

export type ReviewEdge = {
  __typename?: 'ReviewEdge';
  cursor: Scalars['String']['output'];
  node: Review;
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

/** A sparse autoencoder over one hook of a model (SAELens format). */
export type Sae = {
  __typename?: 'Sae';
  architecture: Scalars['String']['output'];
  centerResidual: Scalars['Boolean']['output'];
  dIn: Scalars['Int']['output'];
  dSae: Scalars['Int']['output'];
  /** The ONNX encoder for onnxruntime-web (input x [64, dIn] float32, output features [64, dSae]); cacheable forever. */
  encoderUrl: Scalars['String']['output'];
  fileHash: Scalars['String']['output'];
  hook: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  k?: Maybe<Scalars['Int']['output']>;
  modelId: Scalars['ID']['output'];
  normalize: Scalars['String']['output'];
  prependBos: Scalars['Boolean']['output'];
};


/** A sparse autoencoder over one hook of a model (SAELens format). */
export type SaeEncoderUrlArgs = {
  dtype?: InputMaybe<Scalars['String']['input']>;
};

export type SaeCoverage = {
  __typename?: 'SaeCoverage';
  accepted: Scalars['Int']['output'];
  dead: Scalars['Int']['output'];
  disputed: Scalars['Int']['output'];
  features: Scalars['Int']['output'];
  inCircuits: Scalars['Int']['output'];
  labeled: Scalars['Int']['output'];
  withDashboards: Scalars['Int']['output'];
};

export type SaeFeatureConnection = {
  __typename?: 'SaeFeatureConnection';
  edges: Array<SaeFeatureEdge>;
  /** Place of the first edge in the order (0-based). */
  offset: Scalars['Int']['output'];
  pageInfo: PageInfo;
  /** Features the filter keeps. */
  totalCount: Scalars['Int']['output'];
};

export type SaeFeatureEdge = {
  __typename?: 'SaeFeatureEdge';
  cursor: Scalars['String']['output'];
  node: SaeFeatureRow;
};

/** Which features an SAE page keeps. DEAD: fired on no corpus token in the dashboards. */
export type SaeFeatureFilter =
  | 'ACCEPTED'
  | 'ALL'
  | 'DEAD'
  | 'DISPUTED'
  | 'IN_CIRCUIT'
  | 'LABELED'
  | 'UNLABELED';

/** The label an SAE page shows for a feature: ACCEPTED first, then DISPUTED, then PROPOSED; best score first. */
export type SaeFeatureLabel = {
  __typename?: 'SaeFeatureLabel';
  /** An LLM draft's detection score (as FeatureLabel.detectionScore); null for any other label. */
  detectionScore?: Maybe<Scalars['Float']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  score: Scalars['Int']['output'];
  status: LabelStatus;
};

/** A feature's place in an SAE page's order and filter: where j, k and next unlabeled go. */
export type SaeFeatureNeighbours = {
  __typename?: 'SaeFeatureNeighbours';
  next?: Maybe<Scalars['Int']['output']>;
  nextUnlabeled?: Maybe<Scalars['Int']['output']>;
  /** 1-based, among the features the filter keeps; null when it does not keep this one. */
  position?: Maybe<Scalars['Int']['output']>;
  previous?: Maybe<Scalars['Int']['output']>;
  total: Scalars['Int']['output'];
};

/** One feature on an SAE page. Labels and circuits are the team's (with teamId) or public ones. */
export type SaeFeatureRow = {
  __typename?: 'SaeFeatureRow';
  /** null until dashboards were computed for the SAE. */
  density?: Maybe<Scalars['Float']['output']>;
  featureIndex: Scalars['Int']['output'];
  /** A node of the latest version of one of the team's circuits (that the viewer may see) is this feature. */
  inCircuit: Scalars['Boolean']['output'];
  label?: Maybe<SaeFeatureLabel>;
  labelCount: Scalars['Int']['output'];
  /** When one of its labels last changed (a proposal, edit or vote). */
  lastActivityAt?: Maybe<Scalars['DateTime']['output']>;
  maxActivation?: Maybe<Scalars['Float']['output']>;
};

/** Orders of an SAE page; each ends on the feature index. */
export type SaeFeatureSort =
  | 'DENSEST'
  | 'INDEX'
  | 'LABEL'
  | 'MAX_ACTIVATION'
  | 'RECENT_ACTIVITY'
  | 'SPARSEST';

export type SaveVersionInput = {
  annotations?: InputMaybe<Scalars['JSON']['input']>;
  /** The version these changes start from; a newer save in between gives a CONFLICT error. */
  baseVersion: Scalars['Int']['input'];
  circuitId: Scalars['ID']['input'];
  graph: Scalars['JSON']['input'];
  groups?: InputMaybe<Scalars['JSON']['input']>;
  layout?: InputMaybe<Scalars['JSON']['input']>;
  message?: InputMaybe<Scalars['String']['input']>;
};

export type ShareLink = {
  __typename?: 'ShareLink';
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  permission: SharePermission;
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  version?: Maybe<Scalars['Int']['output']>;
};

export type SharePermission =
  | 'COMMENT'
  | 'EDIT'
  | 'VIEW';

/** What a graph node shows of a label: a lean type, as one request may ask for thousands. */
export type ShownLabel = {
  __typename?: 'ShownLabel';
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  status: LabelStatus;
};

export type SignInInput = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};

export type SignUpInput = {
  displayName: Scalars['String']['input'];
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};

/** A text run with a feature's decoder direction added at its SAE's hook, beside the same text unsteered. */
export type SteeringResult = {
  __typename?: 'SteeringResult';
  /** Norm of the vector added at each steered position (strength x scale x |decoder row|). */
  addedNorm: Scalars['Float']['output'];
  compareTokens?: Maybe<Array<Scalars['String']['output']>>;
  /** Steered with every layer's attention pattern held at the unsteered model's on the same text (freezeAttention); null otherwise. */
  frozen?: Maybe<SteeringRun>;
  hook: Scalars['String']['output'];
  /** Where the direction was added; null: every position, each generated token's too. */
  positions?: Maybe<Array<Scalars['Int']['output']>>;
  /** The strength's unit: the feature's max activation from its dashboard (scaleSource DASHBOARD), or 1 (UNIT) without a dashboard. */
  scale: Scalars['Float']['output'];
  scaleSource: Scalars['String']['output'];
  steered: SteeringRun;
  /** The text's tokens as run (BOS first when the SAE prepends it); positions index these. */
  tokens: Array<Scalars['String']['output']>;
  unsteered: SteeringRun;
};

/** One run of a steering comparison. */
export type SteeringRun = {
  __typename?: 'SteeringRun';
  /** The greedy continuation, token by token (stops at the end-of-text token or the context length). */
  continuation: Array<Scalars['String']['output']>;
  continuationText: Scalars['String']['output'];
  /** logit[compareTokens[0]] - logit[compareTokens[1]] at the last position; null without compareTokens. */
  logitDiff?: Maybe<Scalars['Float']['output']>;
  /** The most probable next tokens after the text. */
  topTokens: Array<NextToken>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Versions, comments, reviews, votes and evidence (kind evidence, data.version) of one circuit. */
  circuitChanged: ChangeEvent;
  /** Labels, votes, comments and evidence (kind evidence, data.labelId) on one feature. */
  featureChanged: ChangeEvent;
  /** A job's progress, then its final state. */
  jobProgress: Job;
  /** Mentions, replies, review requests and decisions for me, and my notifications being read (kind read). */
  myInbox: ChangeEvent;
  /** Fires with the team whenever the signed-in user joins or creates one. */
  myTeamAdded: Team;
  /** Anything that lands in a team's activity (members, circuits, labels, comments, reviews), for team members. */
  teamChanged: ChangeEvent;
};


export type SubscriptionCircuitChangedArgs = {
  circuitId: Scalars['ID']['input'];
};


export type SubscriptionFeatureChangedArgs = {
  feature: FeatureKeyInput;
};


export type SubscriptionJobProgressArgs = {
  id: Scalars['ID']['input'];
};


export type SubscriptionTeamChangedArgs = {
  teamId: Scalars['ID']['input'];
};

export type Team = {
  __typename?: 'Team';
  activity: Array<ActivityEvent>;
  /** What that role lets the signed-in user do here, from the server's policy table (clients read this, not ranks). */
  can: TeamPermissions;
  circuits: CircuitConnection;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Invitation links (admins and owners; empty for others). */
  invitations: Array<TeamInvitation>;
  /** Up votes from people other than a label's author that accept the label (default 2). */
  labelAcceptVotes: Scalars['Int']['output'];
  /** The team's feature labels, most recently changed first. */
  labels: FeatureLabelConnection;
  members: Array<Member>;
  /** The signed-in user's role in this team. */
  myRole: Role;
  name: Scalars['String']['output'];
  slug: Scalars['String']['output'];
};


export type TeamActivityArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type TeamCircuitsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type TeamLabelsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A link that adds whoever opens it to a team (token shown once, at creation). */
export type TeamInvitation = {
  __typename?: 'TeamInvitation';
  createdAt: Scalars['DateTime']['output'];
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  role: Role;
  uses: Scalars['Int']['output'];
};

export type TeamPermissions = {
  __typename?: 'TeamPermissions';
  /** Change the team's settings (labelAcceptVotes). */
  changeSettings: Scalars['Boolean']['output'];
  /** Start jobs that compute circuits for the team. */
  computeCircuits: Scalars['Boolean']['output'];
  createCircuits: Scalars['Boolean']['output'];
  /** Make someone admin or owner; change or remove admins and owners. */
  manageAdmins: Scalars['Boolean']['output'];
  /** Invite, add, change and remove members and viewers. */
  manageMembers: Scalars['Boolean']['output'];
  /** Vote and comment on the team's labels and in its feature threads. */
  participate: Scalars['Boolean']['output'];
  proposeLabels: Scalars['Boolean']['output'];
};

export type Tokenization = {
  __typename?: 'Tokenization';
  ids: Array<Scalars['Int']['output']>;
  tokens: Array<Scalars['String']['output']>;
};

/** A transcoder (SAELens format): a sparse dictionary that reads one hook and predicts another, e.g. an MLP's output. */
export type Transcoder = {
  __typename?: 'Transcoder';
  architecture: Scalars['String']['output'];
  dIn: Scalars['Int']['output'];
  dOut: Scalars['Int']['output'];
  dSae: Scalars['Int']['output'];
  fileHash: Scalars['String']['output'];
  /** The hook it reads, e.g. blocks.3.ln2.hook_normalized (the MLP's input, LayerNorm without its weight and bias). */
  hookIn: Scalars['String']['output'];
  /** The hook it predicts, e.g. blocks.3.hook_mlp_out. */
  hookOut: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  k?: Maybe<Scalars['Int']['output']>;
  modelId: Scalars['ID']['output'];
  /** Whether it has a linear skip connection from its input to its output. */
  skip: Scalars['Boolean']['output'];
};

export type User = {
  __typename?: 'User';
  displayName: Scalars['String']['output'];
  /** Shown to the user and to people who share a team with them; null for anyone else. */
  email?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
};

export type VersionDiff = {
  __typename?: 'VersionDiff';
  annotations: IdChanges;
  edges: IdChanges;
  nodes: IdChanges;
};

export type Visibility =
  | 'PRIVATE'
  | 'PUBLIC'
  | 'TEAM'
  | 'UNLISTED';



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Activations: ResolverTypeWrapper<Activations>;
  ActivityEvent: ResolverTypeWrapper<ActivityEventParent>;
  AddCommentInput: AddCommentInput;
  AddMemberInput: AddMemberInput;
  Agreement: ResolverTypeWrapper<Agreement>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChangeEvent: ResolverTypeWrapper<ChangeEvent>;
  Circuit: ResolverTypeWrapper<CircuitParent>;
  CircuitAccess: CircuitAccess;
  CircuitConnection: ResolverTypeWrapper<Omit<CircuitConnection, 'edges'> & { edges: Array<ResolversTypes['CircuitEdge']> }>;
  CircuitEdge: ResolverTypeWrapper<Omit<CircuitEdge, 'node'> & { node: ResolversTypes['Circuit'] }>;
  CircuitJobInput: CircuitJobInput;
  CircuitPermissions: ResolverTypeWrapper<CircuitPermissions>;
  CircuitStatus: CircuitStatus;
  CircuitVersion: ResolverTypeWrapper<CircuitVersionParent>;
  Comment: ResolverTypeWrapper<CommentParent>;
  CommentConnection: ResolverTypeWrapper<Omit<CommentConnection, 'edges'> & { edges: Array<ResolversTypes['CommentEdge']> }>;
  CommentEdge: ResolverTypeWrapper<Omit<CommentEdge, 'node'> & { node: ResolversTypes['Comment'] }>;
  CommentTargetInput: CommentTargetInput;
  CommentTargetType: CommentTargetType;
  CreateCircuitInput: CreateCircuitInput;
  CreateShareLinkInput: CreateShareLinkInput;
  CreateTeamInput: CreateTeamInput;
  CreatedInvitation: ResolverTypeWrapper<Omit<CreatedInvitation, 'invitation'> & { invitation: ResolversTypes['TeamInvitation'] }>;
  CreatedShareLink: ResolverTypeWrapper<Omit<CreatedShareLink, 'link'> & { link: ResolversTypes['ShareLink'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DecideReviewInput: DecideReviewInput;
  EditLabelInput: EditLabelInput;
  Evidence: ResolverTypeWrapper<EvidenceParent>;
  FeatureDashboard: ResolverTypeWrapper<FeatureDashboardParent>;
  FeatureKeyInput: FeatureKeyInput;
  FeatureLabel: ResolverTypeWrapper<FeatureLabelParent>;
  FeatureLabelConnection: ResolverTypeWrapper<Omit<FeatureLabelConnection, 'edges'> & { edges: Array<ResolversTypes['FeatureLabelEdge']> }>;
  FeatureLabelEdge: ResolverTypeWrapper<Omit<FeatureLabelEdge, 'node'> & { node: ResolversTypes['FeatureLabel'] }>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ForkCircuitInput: ForkCircuitInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  IdChanges: ResolverTypeWrapper<IdChanges>;
  ImportLabelsInput: ImportLabelsInput;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  InvitationPreview: ResolverTypeWrapper<InvitationPreviewParent>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Job: ResolverTypeWrapper<JobParent>;
  JobStatus: JobStatus;
  LabelDrafting: ResolverTypeWrapper<LabelDrafting>;
  LabelExport: ResolverTypeWrapper<LabelExport>;
  LabelExportFormat: LabelExportFormat;
  LabelImportFormat: LabelImportFormat;
  LabelImportProblem: ResolverTypeWrapper<LabelImportProblem>;
  LabelImportReport: ResolverTypeWrapper<LabelImportReport>;
  LabelImportRow: ResolverTypeWrapper<LabelImportRow>;
  LabelPermissions: ResolverTypeWrapper<LabelPermissions>;
  LabelRevision: ResolverTypeWrapper<LabelRevisionParent>;
  LabelSearchHit: ResolverTypeWrapper<Omit<LabelSearchHit, 'label'> & { label: ResolversTypes['FeatureLabel'] }>;
  LabelStatus: LabelStatus;
  LearnCircuit: ResolverTypeWrapper<LearnCircuit>;
  Member: ResolverTypeWrapper<Omit<Member, 'user'> & { user: ResolversTypes['User'] }>;
  Model: ResolverTypeWrapper<ModelParent>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NextToken: ResolverTypeWrapper<NextToken>;
  Notification: ResolverTypeWrapper<NotificationParent>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PromptGraphJobInput: PromptGraphJobInput;
  PromptPairInput: PromptPairInput;
  ProposeLabelInput: ProposeLabelInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RequestReviewInput: RequestReviewInput;
  Review: ResolverTypeWrapper<ReviewParent>;
  ReviewAgreement: ResolverTypeWrapper<ReviewAgreement>;
  ReviewConnection: ResolverTypeWrapper<Omit<ReviewConnection, 'edges'> & { edges: Array<ResolversTypes['ReviewEdge']> }>;
  ReviewEdge: ResolverTypeWrapper<Omit<ReviewEdge, 'node'> & { node: ResolversTypes['Review'] }>;
  ReviewState: ReviewState;
  Role: Role;
  Sae: ResolverTypeWrapper<SaeParent>;
  SaeCoverage: ResolverTypeWrapper<SaeCoverage>;
  SaeFeatureConnection: ResolverTypeWrapper<SaeFeatureConnection>;
  SaeFeatureEdge: ResolverTypeWrapper<SaeFeatureEdge>;
  SaeFeatureFilter: SaeFeatureFilter;
  SaeFeatureLabel: ResolverTypeWrapper<SaeFeatureLabel>;
  SaeFeatureNeighbours: ResolverTypeWrapper<SaeFeatureNeighbours>;
  SaeFeatureRow: ResolverTypeWrapper<SaeFeatureRow>;
  SaeFeatureSort: SaeFeatureSort;
  SaveVersionInput: SaveVersionInput;
  ShareLink: ResolverTypeWrapper<ShareLinkParent>;
  SharePermission: SharePermission;
  ShownLabel: ResolverTypeWrapper<ShownLabel>;
  SignInInput: SignInInput;
  SignUpInput: SignUpInput;
  SteeringResult: ResolverTypeWrapper<SteeringResult>;
  SteeringRun: ResolverTypeWrapper<SteeringRun>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Team: ResolverTypeWrapper<TeamWithMyRoleParent>;
  TeamInvitation: ResolverTypeWrapper<TeamInvitationParent>;
  TeamPermissions: ResolverTypeWrapper<TeamPermissions>;
  Tokenization: ResolverTypeWrapper<Tokenization>;
  Transcoder: ResolverTypeWrapper<TranscoderParent>;
  User: ResolverTypeWrapper<UserParent>;
  VersionDiff: ResolverTypeWrapper<VersionDiff>;
  Visibility: Visibility;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Activations: Activations;
  ActivityEvent: ActivityEventParent;
  AddCommentInput: AddCommentInput;
  AddMemberInput: AddMemberInput;
  Agreement: Agreement;
  Boolean: Scalars['Boolean']['output'];
  ChangeEvent: ChangeEvent;
  Circuit: CircuitParent;
  CircuitConnection: Omit<CircuitConnection, 'edges'> & { edges: Array<ResolversParentTypes['CircuitEdge']> };
  CircuitEdge: Omit<CircuitEdge, 'node'> & { node: ResolversParentTypes['Circuit'] };
  CircuitJobInput: CircuitJobInput;
  CircuitPermissions: CircuitPermissions;
  CircuitVersion: CircuitVersionParent;
  Comment: CommentParent;
  CommentConnection: Omit<CommentConnection, 'edges'> & { edges: Array<ResolversParentTypes['CommentEdge']> };
  CommentEdge: Omit<CommentEdge, 'node'> & { node: ResolversParentTypes['Comment'] };
  CommentTargetInput: CommentTargetInput;
  CreateCircuitInput: CreateCircuitInput;
  CreateShareLinkInput: CreateShareLinkInput;
  CreateTeamInput: CreateTeamInput;
  CreatedInvitation: Omit<CreatedInvitation, 'invitation'> & { invitation: ResolversParentTypes['TeamInvitation'] };
  CreatedShareLink: Omit<CreatedShareLink, 'link'> & { link: ResolversParentTypes['ShareLink'] };
  DateTime: Scalars['DateTime']['output'];
  DecideReviewInput: DecideReviewInput;
  EditLabelInput: EditLabelInput;
  Evidence: EvidenceParent;
  FeatureDashboard: FeatureDashboardParent;
  FeatureKeyInput: FeatureKeyInput;
  FeatureLabel: FeatureLabelParent;
  FeatureLabelConnection: Omit<FeatureLabelConnection, 'edges'> & { edges: Array<ResolversParentTypes['FeatureLabelEdge']> };
  FeatureLabelEdge: Omit<FeatureLabelEdge, 'node'> & { node: ResolversParentTypes['FeatureLabel'] };
  Float: Scalars['Float']['output'];
  ForkCircuitInput: ForkCircuitInput;
  ID: Scalars['ID']['output'];
  IdChanges: IdChanges;
  ImportLabelsInput: ImportLabelsInput;
  Int: Scalars['Int']['output'];
  InvitationPreview: InvitationPreviewParent;
  JSON: Scalars['JSON']['output'];
  Job: JobParent;
  LabelDrafting: LabelDrafting;
  LabelExport: LabelExport;
  LabelImportProblem: LabelImportProblem;
  LabelImportReport: LabelImportReport;
  LabelImportRow: LabelImportRow;
  LabelPermissions: LabelPermissions;
  LabelRevision: LabelRevisionParent;
  LabelSearchHit: Omit<LabelSearchHit, 'label'> & { label: ResolversParentTypes['FeatureLabel'] };
  LearnCircuit: LearnCircuit;
  Member: Omit<Member, 'user'> & { user: ResolversParentTypes['User'] };
  Model: ModelParent;
  Mutation: Record<PropertyKey, never>;
  NextToken: NextToken;
  Notification: NotificationParent;
  PageInfo: PageInfo;
  PromptGraphJobInput: PromptGraphJobInput;
  PromptPairInput: PromptPairInput;
  ProposeLabelInput: ProposeLabelInput;
  Query: Record<PropertyKey, never>;
  RequestReviewInput: RequestReviewInput;
  Review: ReviewParent;
  ReviewAgreement: ReviewAgreement;
  ReviewConnection: Omit<ReviewConnection, 'edges'> & { edges: Array<ResolversParentTypes['ReviewEdge']> };
  ReviewEdge: Omit<ReviewEdge, 'node'> & { node: ResolversParentTypes['Review'] };
  Sae: SaeParent;
  SaeCoverage: SaeCoverage;
  SaeFeatureConnection: SaeFeatureConnection;
  SaeFeatureEdge: SaeFeatureEdge;
  SaeFeatureLabel: SaeFeatureLabel;
  SaeFeatureNeighbours: SaeFeatureNeighbours;
  SaeFeatureRow: SaeFeatureRow;
  SaveVersionInput: SaveVersionInput;
  ShareLink: ShareLinkParent;
  ShownLabel: ShownLabel;
  SignInInput: SignInInput;
  SignUpInput: SignUpInput;
  SteeringResult: SteeringResult;
  SteeringRun: SteeringRun;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  Team: TeamWithMyRoleParent;
  TeamInvitation: TeamInvitationParent;
  TeamPermissions: TeamPermissions;
  Tokenization: Tokenization;
  Transcoder: TranscoderParent;
  User: UserParent;
  VersionDiff: VersionDiff;
};

export type ActivationsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Activations'] = ResolversParentTypes['Activations']> = {
  centerResidual?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  dtype?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prependBos?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  shape?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
  tokenIds?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
  tokens?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ActivityEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ActivityEvent'] = ResolversParentTypes['ActivityEvent']> = {
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  actor?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  subjectId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subjectType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type AgreementResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Agreement'] = ResolversParentTypes['Agreement']> = {
  agreement?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  down?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  up?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ChangeEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ChangeEvent'] = ResolversParentTypes['ChangeEvent']> = {
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CircuitResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Circuit'] = ResolversParentTypes['Circuit']> = {
  approvedVersion?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  can?: Resolver<ResolversTypes['CircuitPermissions'], ParentType, ContextType>;
  completeness?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  diff?: Resolver<ResolversTypes['VersionDiff'], ParentType, ContextType, RequireFields<CircuitDiffArgs, 'from' | 'to'>>;
  evidence?: Resolver<Array<ResolversTypes['Evidence']>, ParentType, ContextType, Partial<CircuitEvidenceArgs>>;
  faithfulness?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  forkedFromVersion?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  latestVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  myAccess?: Resolver<ResolversTypes['CircuitAccess'], ParentType, ContextType>;
  myVote?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  onlyVersion?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  reviewAgreement?: Resolver<ResolversTypes['ReviewAgreement'], ParentType, ContextType>;
  reviews?: Resolver<Array<ResolversTypes['Review']>, ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  shareLinks?: Resolver<Array<ResolversTypes['ShareLink']>, ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['CircuitStatus'], ParentType, ContextType>;
  teamId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['CircuitVersion'], ParentType, ContextType, Partial<CircuitVersionArgs>>;
  versions?: Resolver<Array<ResolversTypes['CircuitVersion']>, ParentType, ContextType>;
  visibility?: Resolver<ResolversTypes['Visibility'], ParentType, ContextType>;
  voteAgreement?: Resolver<ResolversTypes['Agreement'], ParentType, ContextType>;
};

export type CircuitConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CircuitConnection'] = ResolversParentTypes['CircuitConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CircuitEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CircuitEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CircuitEdge'] = ResolversParentTypes['CircuitEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType>;
};

export type CircuitPermissionsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CircuitPermissions'] = ResolversParentTypes['CircuitPermissions']> = {
  comment?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  edit?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  manage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type CircuitVersionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CircuitVersion'] = ResolversParentTypes['CircuitVersion']> = {
  annotations?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  author?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  graph?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  groups?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  layout?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  number?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  parent?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type CommentResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Comment'] = ResolversParentTypes['Comment']> = {
  author?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  parentId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  resolved?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  resolvedBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  targetKey?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  targetType?: Resolver<ResolversTypes['CommentTargetType'], ParentType, ContextType>;
};

export type CommentConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CommentConnection'] = ResolversParentTypes['CommentConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CommentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CommentEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CommentEdge'] = ResolversParentTypes['CommentEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Comment'], ParentType, ContextType>;
};

export type CreatedInvitationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreatedInvitation'] = ResolversParentTypes['CreatedInvitation']> = {
  invitation?: Resolver<ResolversTypes['TeamInvitation'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CreatedShareLinkResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreatedShareLink'] = ResolversParentTypes['CreatedShareLink']> = {
  link?: Resolver<ResolversTypes['ShareLink'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type EvidenceResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Evidence'] = ResolversParentTypes['Evidence']> = {
  author?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  circuitId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputs?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  labelId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  result?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  version?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type FeatureDashboardResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FeatureDashboard'] = ResolversParentTypes['FeatureDashboard']> = {
  bottomLogits?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  corpus?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  density?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  featureIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  histogram?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  maxActivation?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  quantiles?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  saeId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  topContexts?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  topLogits?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
};

export type FeatureLabelResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FeatureLabel'] = ResolversParentTypes['FeatureLabel']> = {
  agreement?: Resolver<ResolversTypes['Agreement'], ParentType, ContextType>;
  author?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  can?: Resolver<ResolversTypes['LabelPermissions'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  detectionScore?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  evidence?: Resolver<Array<ResolversTypes['Evidence']>, ParentType, ContextType>;
  featureIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  modelId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  myVote?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revisedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  revision?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  revisions?: Resolver<Array<ResolversTypes['LabelRevision']>, ParentType, ContextType>;
  saeId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  source?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['LabelStatus'], ParentType, ContextType>;
  teamId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  visibility?: Resolver<ResolversTypes['Visibility'], ParentType, ContextType>;
};

export type FeatureLabelConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FeatureLabelConnection'] = ResolversParentTypes['FeatureLabelConnection']> = {
  edges?: Resolver<Array<ResolversTypes['FeatureLabelEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type FeatureLabelEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['FeatureLabelEdge'] = ResolversParentTypes['FeatureLabelEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType>;
};

export type IdChangesResolvers<ContextType = Context, ParentType extends ResolversParentTypes['IdChanges'] = ResolversParentTypes['IdChanges']> = {
  added?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  changed?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  removed?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type InvitationPreviewResolvers<ContextType = Context, ParentType extends ResolversParentTypes['InvitationPreview'] = ResolversParentTypes['InvitationPreview']> = {
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  teamName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type JobResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Job'] = ResolversParentTypes['Job']> = {
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  etaSeconds?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  percent?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  result?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  stage?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['JobStatus'], ParentType, ContextType>;
};

export type LabelDraftingResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelDrafting'] = ResolversParentTypes['LabelDrafting']> = {
  defaultMaxRequests?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  endpoint?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  llmConfigured?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  maxRequestsCap?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  model?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type LabelExportResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelExport'] = ResolversParentTypes['LabelExport']> = {
  contentType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  filename?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type LabelImportProblemResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelImportProblem'] = ResolversParentTypes['LabelImportProblem']> = {
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  line?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type LabelImportReportResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelImportReport'] = ResolversParentTypes['LabelImportReport']> = {
  created?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dryRun?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  errorCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['LabelImportProblem']>, ParentType, ContextType>;
  preview?: Resolver<Array<ResolversTypes['LabelImportRow']>, ParentType, ContextType>;
  skipped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  skippedRows?: Resolver<Array<ResolversTypes['LabelImportProblem']>, ParentType, ContextType>;
};

export type LabelImportRowResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelImportRow'] = ResolversParentTypes['LabelImportRow']> = {
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  featureIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  line?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  modelId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  saeId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type LabelPermissionsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelPermissions'] = ResolversParentTypes['LabelPermissions']> = {
  addEvidence?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  comment?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  edit?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  vote?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type LabelRevisionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelRevision'] = ResolversParentTypes['LabelRevision']> = {
  author?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revision?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type LabelSearchHitResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LabelSearchHit'] = ResolversParentTypes['LabelSearchHit']> = {
  label?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type LearnCircuitResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LearnCircuit'] = ResolversParentTypes['LearnCircuit']> = {
  cleanAnswer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  cleanPrefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  graph?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  patchAnswer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  patchPrefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MemberResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Member'] = ResolversParentTypes['Member']> = {
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type ModelResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Model'] = ResolversParentTypes['Model']> = {
  contextLength?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dModel?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  fileHash?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  nHeads?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  nLayers?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  saes?: Resolver<Array<ResolversTypes['Sae']>, ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  transcoders?: Resolver<Array<ResolversTypes['Transcoder']>, ParentType, ContextType>;
  vocabSize?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  vocabulary?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  ablateSelection?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationAblateSelectionArgs, 'circuitId' | 'mode' | 'nodeIds' | 'version'>>;
  acceptInvitation?: Resolver<ResolversTypes['Team'], ParentType, ContextType, RequireFields<MutationAcceptInvitationArgs, 'token'>>;
  addComment?: Resolver<ResolversTypes['Comment'], ParentType, ContextType, RequireFields<MutationAddCommentArgs, 'input'>>;
  addTeamMember?: Resolver<ResolversTypes['Member'], ParentType, ContextType, RequireFields<MutationAddTeamMemberArgs, 'input'>>;
  cancelJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationCancelJobArgs, 'id'>>;
  computeDashboards?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationComputeDashboardsArgs, 'model'>>;
  createCircuit?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType, RequireFields<MutationCreateCircuitArgs, 'input'>>;
  createInvitation?: Resolver<ResolversTypes['CreatedInvitation'], ParentType, ContextType, RequireFields<MutationCreateInvitationArgs, 'teamId'>>;
  createShareLink?: Resolver<ResolversTypes['CreatedShareLink'], ParentType, ContextType, RequireFields<MutationCreateShareLinkArgs, 'input'>>;
  createTeam?: Resolver<ResolversTypes['Team'], ParentType, ContextType, RequireFields<MutationCreateTeamArgs, 'input'>>;
  decideReview?: Resolver<ResolversTypes['Review'], ParentType, ContextType, RequireFields<MutationDecideReviewArgs, 'input'>>;
  draftLabelFromTokenPattern?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType, RequireFields<MutationDraftLabelFromTokenPatternArgs, 'featureIndex' | 'model' | 'sae' | 'teamId'>>;
  editLabel?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType, RequireFields<MutationEditLabelArgs, 'input'>>;
  evaluateSelection?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationEvaluateSelectionArgs, 'circuitId' | 'nodeIds' | 'version'>>;
  explainFeatures?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationExplainFeaturesArgs, 'model' | 'sae' | 'teamId'>>;
  forkCircuit?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType, RequireFields<MutationForkCircuitArgs, 'input'>>;
  importLabels?: Resolver<ResolversTypes['LabelImportReport'], ParentType, ContextType, RequireFields<MutationImportLabelsArgs, 'input'>>;
  markAllNotificationsRead?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  markNotificationRead?: Resolver<ResolversTypes['Notification'], ParentType, ContextType, RequireFields<MutationMarkNotificationReadArgs, 'id'>>;
  proposeLabel?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType, RequireFields<MutationProposeLabelArgs, 'input'>>;
  removeTeamMember?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveTeamMemberArgs, 'teamId' | 'userId'>>;
  requestReview?: Resolver<Array<ResolversTypes['Review']>, ParentType, ContextType, RequireFields<MutationRequestReviewArgs, 'input'>>;
  revokeInvitation?: Resolver<ResolversTypes['TeamInvitation'], ParentType, ContextType, RequireFields<MutationRevokeInvitationArgs, 'id'>>;
  revokeShareLink?: Resolver<ResolversTypes['ShareLink'], ParentType, ContextType, RequireFields<MutationRevokeShareLinkArgs, 'id'>>;
  saveAblationEvidence?: Resolver<ResolversTypes['Evidence'], ParentType, ContextType, RequireFields<MutationSaveAblationEvidenceArgs, 'circuitId' | 'jobId' | 'version'>>;
  saveCircuitVersion?: Resolver<ResolversTypes['CircuitVersion'], ParentType, ContextType, RequireFields<MutationSaveCircuitVersionArgs, 'input'>>;
  saveSteeringEvidence?: Resolver<ResolversTypes['Evidence'], ParentType, ContextType, RequireFields<MutationSaveSteeringEvidenceArgs, 'labelId' | 'strength' | 'text'>>;
  setCircuitVisibility?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType, RequireFields<MutationSetCircuitVisibilityArgs, 'circuitId' | 'visibility'>>;
  setCommentResolved?: Resolver<ResolversTypes['Comment'], ParentType, ContextType, RequireFields<MutationSetCommentResolvedArgs, 'id' | 'resolved'>>;
  setLabelAcceptVotes?: Resolver<ResolversTypes['Team'], ParentType, ContextType, RequireFields<MutationSetLabelAcceptVotesArgs, 'teamId' | 'votes'>>;
  signIn?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSignInArgs, 'input'>>;
  signOut?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  signUp?: Resolver<ResolversTypes['User'], ParentType, ContextType, RequireFields<MutationSignUpArgs, 'input'>>;
  startCircuitJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationStartCircuitJobArgs, 'input'>>;
  startPromptGraphJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<MutationStartPromptGraphJobArgs, 'input'>>;
  startSelftestJob?: Resolver<ResolversTypes['Job'], ParentType, ContextType, Partial<MutationStartSelftestJobArgs>>;
  voteCircuit?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType, RequireFields<MutationVoteCircuitArgs, 'circuitId' | 'value'>>;
  voteLabel?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType, RequireFields<MutationVoteLabelArgs, 'labelId' | 'value'>>;
};

export type NextTokenResolvers<ContextType = Context, ParentType extends ResolversParentTypes['NextToken'] = ResolversParentTypes['NextToken']> = {
  logit?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  probability?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tokenId?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type NotificationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Notification'] = ResolversParentTypes['Notification']> = {
  actor?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  commentId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  excerpt?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  read?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  activations?: Resolver<ResolversTypes['Activations'], ParentType, ContextType, RequireFields<QueryActivationsArgs, 'hook' | 'model' | 'text'>>;
  circuit?: Resolver<ResolversTypes['Circuit'], ParentType, ContextType, RequireFields<QueryCircuitArgs, 'slug'>>;
  comments?: Resolver<ResolversTypes['CommentConnection'], ParentType, ContextType, RequireFields<QueryCommentsArgs, 'target'>>;
  exportLabels?: Resolver<ResolversTypes['LabelExport'], ParentType, ContextType, RequireFields<QueryExportLabelsArgs, 'format' | 'teamId'>>;
  featureDashboard?: Resolver<Maybe<ResolversTypes['FeatureDashboard']>, ParentType, ContextType, RequireFields<QueryFeatureDashboardArgs, 'featureIndex' | 'sae'>>;
  featureLabels?: Resolver<ResolversTypes['FeatureLabelConnection'], ParentType, ContextType, RequireFields<QueryFeatureLabelsArgs, 'feature'>>;
  invitation?: Resolver<ResolversTypes['InvitationPreview'], ParentType, ContextType, RequireFields<QueryInvitationArgs, 'token'>>;
  job?: Resolver<ResolversTypes['Job'], ParentType, ContextType, RequireFields<QueryJobArgs, 'id'>>;
  label?: Resolver<ResolversTypes['FeatureLabel'], ParentType, ContextType, RequireFields<QueryLabelArgs, 'id'>>;
  labelDrafting?: Resolver<ResolversTypes['LabelDrafting'], ParentType, ContextType>;
  learnCircuit?: Resolver<ResolversTypes['LearnCircuit'], ParentType, ContextType>;
  me?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  mentionCandidates?: Resolver<Array<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryMentionCandidatesArgs, 'target'>>;
  model?: Resolver<ResolversTypes['Model'], ParentType, ContextType, RequireFields<QueryModelArgs, 'id'>>;
  models?: Resolver<Array<ResolversTypes['Model']>, ParentType, ContextType>;
  myReviewRequests?: Resolver<ResolversTypes['ReviewConnection'], ParentType, ContextType, RequireFields<QueryMyReviewRequestsArgs, 'pendingOnly'>>;
  myTeams?: Resolver<Array<ResolversTypes['Team']>, ParentType, ContextType>;
  notifications?: Resolver<Array<ResolversTypes['Notification']>, ParentType, ContextType, RequireFields<QueryNotificationsArgs, 'first' | 'unreadOnly'>>;
  reviewQueue?: Resolver<ResolversTypes['ReviewConnection'], ParentType, ContextType, RequireFields<QueryReviewQueueArgs, 'pendingOnly'>>;
  saeCoverage?: Resolver<ResolversTypes['SaeCoverage'], ParentType, ContextType, RequireFields<QuerySaeCoverageArgs, 'model' | 'sae'>>;
  saeFeatureNeighbours?: Resolver<ResolversTypes['SaeFeatureNeighbours'], ParentType, ContextType, RequireFields<QuerySaeFeatureNeighboursArgs, 'featureIndex' | 'filter' | 'model' | 'sae' | 'sort'>>;
  saeFeatures?: Resolver<ResolversTypes['SaeFeatureConnection'], ParentType, ContextType, RequireFields<QuerySaeFeaturesArgs, 'filter' | 'model' | 'sae' | 'sort'>>;
  searchLabels?: Resolver<Array<ResolversTypes['LabelSearchHit']>, ParentType, ContextType, RequireFields<QuerySearchLabelsArgs, 'first' | 'query'>>;
  shownLabels?: Resolver<Array<Maybe<ResolversTypes['ShownLabel']>>, ParentType, ContextType, RequireFields<QueryShownLabelsArgs, 'features'>>;
  steerFeature?: Resolver<ResolversTypes['SteeringResult'], ParentType, ContextType, RequireFields<QuerySteerFeatureArgs, 'feature' | 'model' | 'sae' | 'strength' | 'text'>>;
  team?: Resolver<ResolversTypes['Team'], ParentType, ContextType, RequireFields<QueryTeamArgs, 'id'>>;
  tokenize?: Resolver<ResolversTypes['Tokenization'], ParentType, ContextType, RequireFields<QueryTokenizeArgs, 'model' | 'text'>>;
  unreadNotificationCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ReviewResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Review'] = ResolversParentTypes['Review']> = {
  circuit?: Resolver<Maybe<ResolversTypes['Circuit']>, ParentType, ContextType>;
  comment?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  decidedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  requestedBy?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  reviewer?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['ReviewState'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ReviewAgreementResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ReviewAgreement'] = ResolversParentTypes['ReviewAgreement']> = {
  agreement?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  approved?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  changesRequested?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  pending?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ReviewConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ReviewConnection'] = ResolversParentTypes['ReviewConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ReviewEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type ReviewEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ReviewEdge'] = ResolversParentTypes['ReviewEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Review'], ParentType, ContextType>;
};

export type SaeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Sae'] = ResolversParentTypes['Sae']> = {
  architecture?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  centerResidual?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  dIn?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dSae?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  encoderUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<SaeEncoderUrlArgs, 'dtype'>>;
  fileHash?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  hook?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  k?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  modelId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  normalize?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prependBos?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type SaeCoverageResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeCoverage'] = ResolversParentTypes['SaeCoverage']> = {
  accepted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dead?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  disputed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  features?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  inCircuits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  labeled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  withDashboards?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SaeFeatureConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeFeatureConnection'] = ResolversParentTypes['SaeFeatureConnection']> = {
  edges?: Resolver<Array<ResolversTypes['SaeFeatureEdge']>, ParentType, ContextType>;
  offset?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SaeFeatureEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeFeatureEdge'] = ResolversParentTypes['SaeFeatureEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['SaeFeatureRow'], ParentType, ContextType>;
};

export type SaeFeatureLabelResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeFeatureLabel'] = ResolversParentTypes['SaeFeatureLabel']> = {
  detectionScore?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['LabelStatus'], ParentType, ContextType>;
};

export type SaeFeatureNeighboursResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeFeatureNeighbours'] = ResolversParentTypes['SaeFeatureNeighbours']> = {
  next?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  nextUnlabeled?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  position?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  previous?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SaeFeatureRowResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SaeFeatureRow'] = ResolversParentTypes['SaeFeatureRow']> = {
  density?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  featureIndex?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  inCircuit?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  label?: Resolver<Maybe<ResolversTypes['SaeFeatureLabel']>, ParentType, ContextType>;
  labelCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastActivityAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  maxActivation?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type ShareLinkResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ShareLink'] = ResolversParentTypes['ShareLink']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  permission?: Resolver<ResolversTypes['SharePermission'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  version?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ShownLabelResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ShownLabel'] = ResolversParentTypes['ShownLabel']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['LabelStatus'], ParentType, ContextType>;
};

export type SteeringResultResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SteeringResult'] = ResolversParentTypes['SteeringResult']> = {
  addedNorm?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  compareTokens?: Resolver<Maybe<Array<ResolversTypes['String']>>, ParentType, ContextType>;
  frozen?: Resolver<Maybe<ResolversTypes['SteeringRun']>, ParentType, ContextType>;
  hook?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  positions?: Resolver<Maybe<Array<ResolversTypes['Int']>>, ParentType, ContextType>;
  scale?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  scaleSource?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  steered?: Resolver<ResolversTypes['SteeringRun'], ParentType, ContextType>;
  tokens?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  unsteered?: Resolver<ResolversTypes['SteeringRun'], ParentType, ContextType>;
};

export type SteeringRunResolvers<ContextType = Context, ParentType extends ResolversParentTypes['SteeringRun'] = ResolversParentTypes['SteeringRun']> = {
  continuation?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  continuationText?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  logitDiff?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  topTokens?: Resolver<Array<ResolversTypes['NextToken']>, ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  circuitChanged?: SubscriptionResolver<ResolversTypes['ChangeEvent'], "circuitChanged", ParentType, ContextType, RequireFields<SubscriptionCircuitChangedArgs, 'circuitId'>>;
  featureChanged?: SubscriptionResolver<ResolversTypes['ChangeEvent'], "featureChanged", ParentType, ContextType, RequireFields<SubscriptionFeatureChangedArgs, 'feature'>>;
  jobProgress?: SubscriptionResolver<ResolversTypes['Job'], "jobProgress", ParentType, ContextType, RequireFields<SubscriptionJobProgressArgs, 'id'>>;
  myInbox?: SubscriptionResolver<ResolversTypes['ChangeEvent'], "myInbox", ParentType, ContextType>;
  myTeamAdded?: SubscriptionResolver<ResolversTypes['Team'], "myTeamAdded", ParentType, ContextType>;
  teamChanged?: SubscriptionResolver<ResolversTypes['ChangeEvent'], "teamChanged", ParentType, ContextType, RequireFields<SubscriptionTeamChangedArgs, 'teamId'>>;
};

export type TeamResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Team'] = ResolversParentTypes['Team']> = {
  activity?: Resolver<Array<ResolversTypes['ActivityEvent']>, ParentType, ContextType, Partial<TeamActivityArgs>>;
  can?: Resolver<ResolversTypes['TeamPermissions'], ParentType, ContextType>;
  circuits?: Resolver<ResolversTypes['CircuitConnection'], ParentType, ContextType, Partial<TeamCircuitsArgs>>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  invitations?: Resolver<Array<ResolversTypes['TeamInvitation']>, ParentType, ContextType>;
  labelAcceptVotes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  labels?: Resolver<ResolversTypes['FeatureLabelConnection'], ParentType, ContextType, Partial<TeamLabelsArgs>>;
  members?: Resolver<Array<ResolversTypes['Member']>, ParentType, ContextType>;
  myRole?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type TeamInvitationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TeamInvitation'] = ResolversParentTypes['TeamInvitation']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  uses?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type TeamPermissionsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TeamPermissions'] = ResolversParentTypes['TeamPermissions']> = {
  changeSettings?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  computeCircuits?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  createCircuits?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  manageAdmins?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  manageMembers?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  participate?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  proposeLabels?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type TokenizationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Tokenization'] = ResolversParentTypes['Tokenization']> = {
  ids?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
  tokens?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type TranscoderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Transcoder'] = ResolversParentTypes['Transcoder']> = {
  architecture?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  dIn?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dOut?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dSae?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  fileHash?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  hookIn?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  hookOut?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  k?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  modelId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  skip?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type UserResolvers<ContextType = Context, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  displayName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type VersionDiffResolvers<ContextType = Context, ParentType extends ResolversParentTypes['VersionDiff'] = ResolversParentTypes['VersionDiff']> = {
  annotations?: Resolver<ResolversTypes['IdChanges'], ParentType, ContextType>;
  edges?: Resolver<ResolversTypes['IdChanges'], ParentType, ContextType>;
  nodes?: Resolver<ResolversTypes['IdChanges'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  Activations?: ActivationsResolvers<ContextType>;
  ActivityEvent?: ActivityEventResolvers<ContextType>;
  Agreement?: AgreementResolvers<ContextType>;
  ChangeEvent?: ChangeEventResolvers<ContextType>;
  Circuit?: CircuitResolvers<ContextType>;
  CircuitConnection?: CircuitConnectionResolvers<ContextType>;
  CircuitEdge?: CircuitEdgeResolvers<ContextType>;
  CircuitPermissions?: CircuitPermissionsResolvers<ContextType>;
  CircuitVersion?: CircuitVersionResolvers<ContextType>;
  Comment?: CommentResolvers<ContextType>;
  CommentConnection?: CommentConnectionResolvers<ContextType>;
  CommentEdge?: CommentEdgeResolvers<ContextType>;
  CreatedInvitation?: CreatedInvitationResolvers<ContextType>;
  CreatedShareLink?: CreatedShareLinkResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Evidence?: EvidenceResolvers<ContextType>;
  FeatureDashboard?: FeatureDashboardResolvers<ContextType>;
  FeatureLabel?: FeatureLabelResolvers<ContextType>;
  FeatureLabelConnection?: FeatureLabelConnectionResolvers<ContextType>;
  FeatureLabelEdge?: FeatureLabelEdgeResolvers<ContextType>;
  IdChanges?: IdChangesResolvers<ContextType>;
  InvitationPreview?: InvitationPreviewResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Job?: JobResolvers<ContextType>;
  LabelDrafting?: LabelDraftingResolvers<ContextType>;
  LabelExport?: LabelExportResolvers<ContextType>;
  LabelImportProblem?: LabelImportProblemResolvers<ContextType>;
  LabelImportReport?: LabelImportReportResolvers<ContextType>;
  LabelImportRow?: LabelImportRowResolvers<ContextType>;
  LabelPermissions?: LabelPermissionsResolvers<ContextType>;
  LabelRevision?: LabelRevisionResolvers<ContextType>;
  LabelSearchHit?: LabelSearchHitResolvers<ContextType>;
  LearnCircuit?: LearnCircuitResolvers<ContextType>;
  Member?: MemberResolvers<ContextType>;
  Model?: ModelResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  NextToken?: NextTokenResolvers<ContextType>;
  Notification?: NotificationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Review?: ReviewResolvers<ContextType>;
  ReviewAgreement?: ReviewAgreementResolvers<ContextType>;
  ReviewConnection?: ReviewConnectionResolvers<ContextType>;
  ReviewEdge?: ReviewEdgeResolvers<ContextType>;
  Sae?: SaeResolvers<ContextType>;
  SaeCoverage?: SaeCoverageResolvers<ContextType>;
  SaeFeatureConnection?: SaeFeatureConnectionResolvers<ContextType>;
  SaeFeatureEdge?: SaeFeatureEdgeResolvers<ContextType>;
  SaeFeatureLabel?: SaeFeatureLabelResolvers<ContextType>;
  SaeFeatureNeighbours?: SaeFeatureNeighboursResolvers<ContextType>;
  SaeFeatureRow?: SaeFeatureRowResolvers<ContextType>;
  ShareLink?: ShareLinkResolvers<ContextType>;
  ShownLabel?: ShownLabelResolvers<ContextType>;
  SteeringResult?: SteeringResultResolvers<ContextType>;
  SteeringRun?: SteeringRunResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Team?: TeamResolvers<ContextType>;
  TeamInvitation?: TeamInvitationResolvers<ContextType>;
  TeamPermissions?: TeamPermissionsResolvers<ContextType>;
  Tokenization?: TokenizationResolvers<ContextType>;
  Transcoder?: TranscoderResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  VersionDiff?: VersionDiffResolvers<ContextType>;
};

