/** The API's contract, schema first: resolvers only translate between this and the services. */
export const typeDefs = /* GraphQL */ `
  scalar JSON

  "A point in time: an ISO-8601 (RFC 3339) date-time string, sent as UTC with milliseconds (2026-12-01T20:40:00.000Z)."
  scalar DateTime @specifiedBy(url: "https://datatracker.ietf.org/doc/html/rfc3339")

  enum Role {
    OWNER
    ADMIN
    MEMBER
    VIEWER
  }

  enum Visibility {
    PRIVATE
    TEAM
    UNLISTED
    PUBLIC
  }

  enum LabelStatus {
    PROPOSED
    ACCEPTED
    DISPUTED
  }

  enum SharePermission {
    VIEW
    COMMENT
    EDIT
  }

  enum ReviewState {
    PENDING
    APPROVED
    CHANGES_REQUESTED
  }

  enum CircuitStatus {
    DRAFT
    IN_REVIEW
    APPROVED
    CHANGES_REQUESTED
  }

  enum CommentTargetType {
    FEATURE
    LABEL
    CIRCUIT
    NODE
    EDGE
  }

  "What the signed-in user (or share link) may do with a circuit."
  enum CircuitAccess {
    VIEW
    COMMENT
    EDIT
    MANAGE
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type User {
    id: ID!
    "Shown to the user and to people who share a team with them; null for anyone else."
    email: String
    displayName: String!
  }

  type Team {
    id: ID!
    name: String!
    slug: String!
    "The signed-in user's role in this team."
    myRole: Role!
    "What that role lets the signed-in user do here, from the server's policy table (clients read this, not ranks)."
    can: TeamPermissions!
    "Up votes from people other than a label's author that accept the label (default 2)."
    labelAcceptVotes: Int!
    createdAt: DateTime!
    members: [Member!]!
    "Invitation links (admins and owners; empty for others)."
    invitations: [TeamInvitation!]!
    circuits(first: Int, after: String): CircuitConnection!
    "The team's feature labels, most recently changed first."
    labels(first: Int, after: String): FeatureLabelConnection!
    activity(first: Int): [ActivityEvent!]!
  }

  type TeamPermissions {
    "Invite, add, change and remove members and viewers."
    manageMembers: Boolean!
    "Make someone admin or owner; change or remove admins and owners."
    manageAdmins: Boolean!
    "Change the team's settings (labelAcceptVotes)."
    changeSettings: Boolean!
    createCircuits: Boolean!
    "Start jobs that compute circuits for the team."
    computeCircuits: Boolean!
    proposeLabels: Boolean!
    "Vote and comment on the team's labels and in its feature threads."
    participate: Boolean!
  }

  "A link that adds whoever opens it to a team (token shown once, at creation)."
  type TeamInvitation {
    id: ID!
    role: Role!
    expiresAt: DateTime!
    revokedAt: DateTime
    uses: Int!
    createdAt: DateTime!
  }

  type CreatedInvitation {
    invitation: TeamInvitation!
    token: String!
    "Path to share: /invite/{token}"
    path: String!
  }

  type InvitationPreview {
    teamName: String!
    role: Role!
    expiresAt: DateTime!
  }

  type Member {
    user: User!
    role: Role!
  }

  type ActivityEvent {
    id: ID!
    actor: User
    action: String!
    subjectType: String!
    subjectId: String!
    data: JSON!
    createdAt: DateTime!
  }

  type FeatureLabel {
    id: ID!
    modelId: String!
    saeId: String!
    featureIndex: Int!
    teamId: ID!
    visibility: Visibility!
    status: LabelStatus!
    name: String!
    description: String!
    "Where an imported or machine-written label came from (JSON: format, line, the original ids, importer; for a draft, LLM with the model's name or TOKEN_PATTERN, and its detection test); null when made here."
    source: String
    "An LLM draft's detection score: balanced accuracy (0 to 1; 0.5 is chance) of the model telling held-out contexts the feature fires on from others, given the label. null for any other label, and for a draft whose test could not run."
    detectionScore: Float
    revision: Int!
    "When the current revision was written (votes do not move it; updatedAt does)."
    revisedAt: DateTime!
    "Up votes minus down votes, the author's own included (acceptance counts only other people's)."
    score: Int!
    author: User
    revisions: [LabelRevision!]!
    "Steering runs saved on the label as evidence, oldest first."
    evidence: [Evidence!]!
    agreement: Agreement!
    "+1, -1 or 0: the signed-in user's vote."
    myVote: Int!
    "What the signed-in user may do with this label, from the server's policy table (the mutations check the same)."
    can: LabelPermissions!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type LabelPermissions {
    "voteLabel: the team's members; on a public label, anyone signed in (the team's viewers too)."
    vote: Boolean!
    "Comments on the label (the same people as vote)."
    comment: Boolean!
    "saveSteeringEvidence on the label (the same people as vote)."
    addEvidence: Boolean!
    "editLabel (a new revision): members, admins and owners of the label's team."
    edit: Boolean!
  }

  "What a graph node shows of a label: a lean type, as one request may ask for thousands."
  type ShownLabel {
    id: ID!
    name: String!
    status: LabelStatus!
  }

  type LabelRevision {
    revision: Int!
    name: String!
    description: String!
    author: User
    createdAt: DateTime!
  }

  type Agreement {
    up: Int!
    down: Int!
    agreement: Float!
  }

  type FeatureLabelEdge {
    cursor: String!
    node: FeatureLabel!
  }

  type FeatureLabelConnection {
    edges: [FeatureLabelEdge!]!
    pageInfo: PageInfo!
  }

  type CircuitPermissions {
    "Comment, and vote on the circuit."
    comment: Boolean!
    "Save versions and request reviews."
    edit: Boolean!
    "Change visibility and manage share links."
    manage: Boolean!
  }

  type Circuit {
    id: ID!
    slug: String!
    title: String!
    teamId: ID!
    visibility: Visibility!
    latestVersion: Int!
    createdBy: User
    forkedFromVersion: Int
    myAccess: CircuitAccess!
    "What myAccess lets the signed-in user (or share-link holder) do, from the server's policy table."
    can: CircuitPermissions!
    "Set when access comes from a link for this one version."
    onlyVersion: Int
    "The latest version's status (from its reviews)."
    status: CircuitStatus!
    "The newest version every one of its reviewers approved (an approval belongs to a version: a later save keeps it); null when none."
    approvedVersion: Int
    reviews: [Review!]!
    reviewAgreement: ReviewAgreement!
    "Up votes minus down votes (votes are on the circuit, reviews on a version)."
    score: Int!
    "Up and down votes on the circuit."
    voteAgreement: Agreement!
    "+1, -1 or 0: the signed-in user's vote on the circuit."
    myVote: Int!
    "Faithfulness recorded in the graph (metrics.faithfulness) of the latest version, or of the one version a link grants; 1: the circuit alone recovers the model's behaviour. Null when the graph has none (imported graphs)."
    faithfulness: Float
    "Completeness recorded in the same graph (metrics.completeness); null when it has none."
    completeness: Float
    version(number: Int): CircuitVersion!
    versions: [CircuitVersion!]!
    "Ablations saved as evidence on a version (all versions without one), oldest first; a version link sees its own."
    evidence(version: Int): [Evidence!]!
    diff(from: Int!, to: Int!): VersionDiff!
    shareLinks: [ShareLink!]!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type CircuitEdge {
    cursor: String!
    node: Circuit!
  }

  type CircuitConnection {
    edges: [CircuitEdge!]!
    pageInfo: PageInfo!
  }

  type CircuitVersion {
    number: Int!
    parent: Int
    graph: JSON!
    layout: JSON!
    groups: JSON!
    annotations: JSON!
    message: String!
    author: User
    createdAt: DateTime!
  }

  type IdChanges {
    added: [String!]!
    removed: [String!]!
    changed: [String!]!
  }

  type VersionDiff {
    nodes: IdChanges!
    edges: IdChanges!
    annotations: IdChanges!
  }

  type ShareLink {
    id: ID!
    version: Int
    permission: SharePermission!
    expiresAt: DateTime
    revokedAt: DateTime
    createdAt: DateTime!
  }

  type CreatedShareLink {
    link: ShareLink!
    "Shown once: keep it; only a hash is stored."
    token: String!
    "Path to open: /c/{slug}[/v/{n}]?share={token}"
    path: String!
  }

  type Review {
    id: ID!
    circuit: Circuit
    version: Int!
    reviewer: User
    requestedBy: User
    state: ReviewState!
    comment: String
    decidedAt: DateTime
    createdAt: DateTime!
  }

  type ReviewEdge {
    cursor: String!
    node: Review!
  }

  type ReviewConnection {
    edges: [ReviewEdge!]!
    pageInfo: PageInfo!
  }

  type ReviewAgreement {
    approved: Int!
    changesRequested: Int!
    pending: Int!
    agreement: Float!
  }

  type Comment {
    id: ID!
    targetType: CommentTargetType!
    targetKey: String!
    parentId: ID
    author: User
    body: String!
    resolved: Boolean!
    resolvedBy: User
    createdAt: DateTime!
  }

  type CommentEdge {
    cursor: String!
    node: Comment!
  }

  type CommentConnection {
    edges: [CommentEdge!]!
    pageInfo: PageInfo!
  }

  "Something for the signed-in user's inbox; only its recipient ever sees it."
  type Notification {
    id: ID!
    "mention, reply (to your comment), review_requested (of you) or review_decided (on your circuit or request)."
    kind: String!
    commentId: ID
    data: JSON!
    "Who did it."
    actor: User
    "What it is about, in words: node L1/res/3 of “Agreement”, v2 of “Agreement”, label “plural subject” of …"
    subject: String!
    "Where to open it: the exact node or edge (/c/{slug}?sel={id}), label (#label-{id}), feature thread or version."
    path: String!
    "The comment or the review's comment, shortened."
    excerpt: String
    read: Boolean!
    createdAt: DateTime!
  }

  "Where a comment lives: a feature, a label, a circuit, or one node or edge of a circuit."
  input CommentTargetInput {
    type: CommentTargetType!
    modelId: String
    saeId: String
    featureIndex: Int
    "FEATURE only: the team whose members see the thread (omit for a public thread)."
    teamId: ID
    labelId: ID
    circuitId: ID
    nodeId: String
    edgeId: String
  }

  input FeatureKeyInput {
    modelId: String!
    saeId: String!
    featureIndex: Int!
  }

  "A language model the app can run (the bundled demo, or one fetched with npm run models)."
  type Model {
    id: ID!
    source: String!
    nLayers: Int!
    dModel: Int!
    nHeads: Int!
    vocabSize: Int!
    contextLength: Int!
    fileHash: String!
    saes: [Sae!]!
    "Transcoders of the model's MLPs (each reads blocks.L.ln2.hook_normalized and predicts blocks.L.hook_mlp_out)."
    transcoders: [Transcoder!]!
    """
    A word-level vocabulary's words as typed (a leading space where the token has one, e.g. " girls"), sorted; null
    for subword tokenizers (GPT-2's), which spell any text.
    """
    vocabulary: [String!]
  }

  "A sparse autoencoder over one hook of a model (SAELens format)."
  type Sae {
    id: ID!
    modelId: ID!
    hook: String!
    dIn: Int!
    dSae: Int!
    architecture: String!
    k: Int
    prependBos: Boolean!
    centerResidual: Boolean!
    normalize: String!
    fileHash: String!
    "The ONNX encoder for onnxruntime-web (input x [64, dIn] float32, output features [64, dSae]); cacheable forever."
    encoderUrl(dtype: String = "fp32"): String!
  }

  "A transcoder (SAELens format): a sparse dictionary that reads one hook and predicts another, e.g. an MLP's output."
  type Transcoder {
    id: ID!
    modelId: ID!
    "The hook it reads, e.g. blocks.3.ln2.hook_normalized (the MLP's input, LayerNorm without its weight and bias)."
    hookIn: String!
    "The hook it predicts, e.g. blocks.3.hook_mlp_out."
    hookOut: String!
    dIn: Int!
    dOut: Int!
    dSae: Int!
    architecture: String!
    k: Int
    "Whether it has a linear skip connection from its input to its output."
    skip: Boolean!
    fileHash: String!
  }

  type Tokenization {
    ids: [Int!]!
    tokens: [String!]!
  }

  type Activations {
    tokenIds: [Int!]!
    tokens: [String!]!
    "[tokens, width]"
    shape: [Int!]!
    dtype: String!
    "Base64 of little-endian float32 values, row-major (token by token)."
    data: String!
    prependBos: Boolean!
    centerResidual: Boolean!
  }

  "A next token after the text: its logit and softmax probability."
  type NextToken {
    "The token's id (not named id: the same token in both runs is two different answers, not one cached object)."
    tokenId: Int!
    token: String!
    logit: Float!
    probability: Float!
  }

  "One run of a steering comparison."
  type SteeringRun {
    "The most probable next tokens after the text."
    topTokens: [NextToken!]!
    "logit[compareTokens[0]] - logit[compareTokens[1]] at the last position; null without compareTokens."
    logitDiff: Float
    "The greedy continuation, token by token (stops at the end-of-text token or the context length)."
    continuation: [String!]!
    continuationText: String!
  }

  "The walkthrough's demo circuit (/learn): the seed article's pair on the bundled demo model."
  type LearnCircuit {
    model: ID!
    cleanPrefix: String!
    patchPrefix: String!
    "With its leading space, as the model reads it (the token ' runs')."
    cleanAnswer: String!
    patchAnswer: String!
    "The circuit file (schema workbench.circuit), the same as a circuit job stores; createCircuit saves it to a team."
    graph: JSON!
  }

  "A text run with a feature's decoder direction added at its SAE's hook, beside the same text unsteered."
  type SteeringResult {
    "The text's tokens as run (BOS first when the SAE prepends it); positions index these."
    tokens: [String!]!
    "Where the direction was added; null: every position, each generated token's too."
    positions: [Int!]
    hook: String!
    "The strength's unit: the feature's max activation from its dashboard (scaleSource DASHBOARD), or 1 (UNIT) without a dashboard."
    scale: Float!
    scaleSource: String!
    "Norm of the vector added at each steered position (strength x scale x |decoder row|)."
    addedNorm: Float!
    compareTokens: [String!]
    unsteered: SteeringRun!
    steered: SteeringRun!
    "Steered with every layer's attention pattern held at the unsteered model's on the same text (freezeAttention); null otherwise."
    frozen: SteeringRun
  }

  """
  An intervention saved as evidence for a claim, with the inputs that re-run it. kind steer (on a label): inputs are
  steerFeature's arguments, result its SteeringResult; kind ablate (on a circuit version): inputs are ablateSelection's
  arguments, result its job's result.
  """
  type Evidence {
    id: ID!
    kind: String!
    labelId: ID
    circuitId: ID
    version: Int
    inputs: JSON!
    result: JSON!
    author: User
    createdAt: DateTime!
  }

  enum JobStatus {
    QUEUED
    RUNNING
    SUCCEEDED
    FAILED
    CANCELLED
  }

  "A long computation (a circuit, feature dashboards) with its progress."
  type Job {
    id: ID!
    kind: String!
    status: JobStatus!
    stage: String!
    percent: Float!
    etaSeconds: Float
    result: JSON
    error: String
    attempts: Int!
    createdAt: DateTime!
    startedAt: DateTime
    finishedAt: DateTime
  }

  "What one SAE feature does over a corpus: strongest contexts, activation quantiles, density, logit effects."
  type FeatureDashboard {
    saeId: ID!
    featureIndex: Int!
    maxActivation: Float!
    "Share of corpus tokens on which the feature fires."
    density: Float!
    "{ edges: [bins + 1], counts: [bins] } over non-zero activations, log-spaced."
    histogram: JSON!
    "[{ tokens: [String], values: [Float], max }], strongest first."
    topContexts: JSON!
    "[{ from, to, contexts }] from weak to strong activations."
    quantiles: JSON!
    topLogits: JSON!
    bottomLogits: JSON!
    corpus: String!
    createdAt: DateTime!
  }

  "Orders of an SAE page; each ends on the feature index."
  enum SaeFeatureSort {
    INDEX
    DENSEST
    SPARSEST
    MAX_ACTIVATION
    RECENT_ACTIVITY
    LABEL
  }

  "Which features an SAE page keeps. DEAD: fired on no corpus token in the dashboards."
  enum SaeFeatureFilter {
    ALL
    UNLABELED
    LABELED
    ACCEPTED
    DISPUTED
    DEAD
    IN_CIRCUIT
  }

  "The label an SAE page shows for a feature: ACCEPTED first, then DISPUTED, then PROPOSED; best score first."
  type SaeFeatureLabel {
    id: ID!
    name: String!
    status: LabelStatus!
    score: Int!
    "An LLM draft's detection score (as FeatureLabel.detectionScore); null for any other label."
    detectionScore: Float
  }

  "One feature on an SAE page. Labels and circuits are the team's (with teamId) or public ones."
  type SaeFeatureRow {
    featureIndex: Int!
    "null until dashboards were computed for the SAE."
    density: Float
    maxActivation: Float
    "A node of the latest version of one of the team's circuits (that the viewer may see) is this feature."
    inCircuit: Boolean!
    "When one of its labels last changed (a proposal, edit or vote)."
    lastActivityAt: DateTime
    labelCount: Int!
    label: SaeFeatureLabel
  }

  type SaeFeatureEdge {
    cursor: String!
    node: SaeFeatureRow!
  }

  type SaeFeatureConnection {
    edges: [SaeFeatureEdge!]!
    pageInfo: PageInfo!
    "Features the filter keeps."
    totalCount: Int!
    "Place of the first edge in the order (0-based)."
    offset: Int!
  }

  type SaeCoverage {
    features: Int!
    labeled: Int!
    accepted: Int!
    disputed: Int!
    dead: Int!
    withDashboards: Int!
    inCircuits: Int!
  }

  "A feature's place in an SAE page's order and filter: where j, k and next unlabeled go."
  type SaeFeatureNeighbours {
    "1-based, among the features the filter keeps; null when it does not keep this one."
    position: Int
    total: Int!
    previous: Int
    next: Int
    nextUnlabeled: Int
  }

  enum LabelExportFormat {
    JSON
    CSV
  }

  "A team's labels as a file: JSON with revisions and votes, or CSV (one row per label, revisions and votes as JSON)."
  type LabelExport {
    filename: String!
    contentType: String!
    text: String!
  }

  """
  NEURONPEDIA: its feature JSON (modelId, layer, index, explanations), as one feature, an array or JSON Lines, or its
  flat explanation exports. FEATURE_CIRCUITS: saprmarks/feature-circuits annotations (JSON Lines of Component, Layer,
  Feature, Annotation, Notes; needs modelId). WORKBENCH: this app's JSON export. CSV: this app's CSV export, or a
  spreadsheet whose header row names at least the SAE id (sae_id or sae), the feature index (feature_index, index or
  feature) and the label (name or label); also read: model_id or model (else modelId, else the one model here with
  that SAE), description, and the export's id and source. Header names are case-insensitive, spaces and hyphens
  read as underscores ("Feature Index"); other columns are ignored. Quoted cells may hold commas, quotes and line
  breaks; a BOM and CRLF line endings are fine.
  """
  enum LabelImportFormat {
    NEURONPEDIA
    FEATURE_CIRCUITS
    WORKBENCH
    CSV
  }

  input ImportLabelsInput {
    teamId: ID!
    format: LabelImportFormat!
    "The file's text (at most 5,000,000 characters, 20,000 labels)."
    text: String!
    "The model the file's features belong to (FEATURE_CIRCUITS files do not say; CSV rows without a model column)."
    modelId: String
    visibility: Visibility = TEAM
    "true (default): report what would change and write nothing."
    dryRun: Boolean = true
  }

  "A line of an import file: an error (what is wrong, in which field) or why it was skipped."
  type LabelImportProblem {
    line: Int!
    field: String!
    message: String!
  }

  "A label an import creates (or would), mapped to this app's feature ids."
  type LabelImportRow {
    line: Int!
    modelId: String!
    saeId: String!
    featureIndex: Int!
    name: String!
    description: String!
  }

  type LabelImportReport {
    dryRun: Boolean!
    "Labels created, or in a dry run that would be."
    created: Int!
    "Lines not imported: the team already has the label, an earlier line has it, or a feature has no explanations."
    skipped: Int!
    "A real import with any error writes nothing. The first 200 are listed; errorCount counts all."
    errors: [LabelImportProblem!]!
    errorCount: Int!
    skippedRows: [LabelImportProblem!]!
    "The first 100 labels created (or that would be)."
    preview: [LabelImportRow!]!
  }

  "Whether labels are drafted by an LLM here, which and where, and explain jobs' request cap."
  type LabelDrafting {
    "LLM_BASE_URL and LLM_MODEL are set: explain jobs send features' contexts to that endpoint. Otherwise drafts come from token patterns and nothing leaves the server."
    llmConfigured: Boolean!
    model: String
    "The endpoint's origin (scheme, host, port)."
    endpoint: String
    defaultMaxRequests: Int!
    maxRequestsCap: Int!
  }

  type LabelSearchHit {
    label: FeatureLabel!
    "ts_rank of the label's name and description against the words."
    rank: Float!
  }

  type Query {
    "null until dashboards were computed for this SAE."
    featureDashboard(sae: ID!, featureIndex: Int!): FeatureDashboard
    job(id: ID!): Job!
    "How labels are drafted here (LLM or token pattern), and explain jobs' request cap."
    labelDrafting: LabelDrafting!
    models: [Model!]!
    model(id: ID!): Model!
    tokenize(model: ID!, text: String!): Tokenization!
    "Activations at one hook; with sae, the SAE's conventions (BOS, centring) apply."
    activations(model: ID!, hook: String!, text: String!, sae: ID, prependBos: Boolean): Activations!
    """
    Runs the text with the feature's decoder direction x strength x its max activation added at the SAE's hook
    (|strength| <= 100; positions: token indices, none for all), beside the unsteered run: top next tokens, the
    logit difference of compareTokens (two single tokens, e.g. [" are", " is"]) and a greedy continuation of up to
    20 tokens (default 10). A model run: rate-limited like activations.
    """
    steerFeature(
      model: ID!
      sae: ID!
      feature: Int!
      text: String!
      strength: Float!
      positions: [Int!]
      compareTokens: [String!]
      continuation: Int
      "Also run the steered text with attention patterns frozen at their unsteered values (result frozen)."
      freezeAttention: Boolean
    ): SteeringResult!
    """
    The walkthrough's demo circuit: "The cat" -> " runs" vs "The cats" -> " run" on the bundled demo model
    (integrated gradients, the circuit job's defaults), computed once per server. Public, signed out too;
    rate-limited like activations.
    """
    learnCircuit: LearnCircuit!
    "The signed-in user, or null."
    me: User
    "Teams the signed-in user belongs to."
    myTeams: [Team!]!
    team(id: ID!): Team!
    """
    What an invitation link offers (no sign-in needed: the token is the secret). NOT_FOUND for an unknown or revoked
    token; INVITATION_EXPIRED (with expiredAt) for an expired one.
    """
    invitation(token: String!): InvitationPreview!
    featureLabels(feature: FeatureKeyInput!, first: Int, after: String): FeatureLabelConnection!
    """
    The label each feature shows on a graph, in the order asked (null where none): the team's accepted label, else
    any accepted one, else the best-scored proposed one; never a disputed one. At most 5000 features.
    """
    shownLabels(features: [FeatureKeyInput!]!, teamId: ID): [ShownLabel]!
    label(id: ID!): FeatureLabel!
    """
    Every feature of an SAE, sorted and filtered, by pages (first at most 100; after a cursor, or offset to jump).
    With teamId (its members only): the team's labels and circuits; without: public labels and no circuits.
    """
    saeFeatures(
      model: ID!
      sae: ID!
      teamId: ID
      sort: SaeFeatureSort = INDEX
      filter: SaeFeatureFilter = ALL
      first: Int
      after: String
      offset: Int
    ): SaeFeatureConnection!
    "How much of an SAE the team (or, without teamId, the public) has labeled."
    saeCoverage(model: ID!, sae: ID!, teamId: ID): SaeCoverage!
    saeFeatureNeighbours(
      model: ID!
      sae: ID!
      featureIndex: Int!
      teamId: ID
      sort: SaeFeatureSort = INDEX
      filter: SaeFeatureFilter = ALL
    ): SaeFeatureNeighbours!
    "Labels by words in their name and description (English full text, ranked): public ones and the viewer's teams'."
    searchLabels(query: String!, first: Int = 20): [LabelSearchHit!]!
    "All the team's labels with their revisions and votes, as a file (members and viewers)."
    exportLabels(teamId: ID!, format: LabelExportFormat!): LabelExport!
    """
    A circuit by its short slug (/c/{slug}); share tokens come in the x-share-token header. NOT_FOUND when the caller
    may not see it; SHARE_LINK_EXPIRED (with expiredAt) when only an expired share link they sent would have opened it.
    """
    circuit(slug: String!): Circuit!
    comments(target: CommentTargetInput!, first: Int, after: String): CommentConnection!
    "Reviews assigned to me, pending first."
    reviewQueue(first: Int, after: String, pendingOnly: Boolean = false): ReviewConnection!
    "Reviews I asked others for, pending first."
    myReviewRequests(first: Int, after: String, pendingOnly: Boolean = false): ReviewConnection!
    "My inbox, newest first (at most 200)."
    notifications(unreadOnly: Boolean = false, first: Int = 100): [Notification!]!
    "How many of my notifications are unread (the header's badge)."
    unreadNotificationCount: Int!
    "Teammates I may @mention on a target (people who may read it), matching search in display name or email."
    mentionCandidates(target: CommentTargetInput!, search: String): [User!]!
  }

  input SignUpInput {
    email: String!
    displayName: String!
    password: String!
  }

  input SignInInput {
    email: String!
    password: String!
  }

  input CreateTeamInput {
    name: String!
  }

  input AddMemberInput {
    teamId: ID!
    email: String!
    role: Role!
  }

  input ProposeLabelInput {
    teamId: ID!
    modelId: String!
    saeId: String!
    featureIndex: Int!
    name: String!
    description: String
    visibility: Visibility
  }

  input EditLabelInput {
    labelId: ID!
    name: String!
    description: String
  }

  input CreateCircuitInput {
    teamId: ID!
    title: String!
    visibility: Visibility
    graph: JSON!
    layout: JSON
    groups: JSON
    annotations: JSON
    message: String
  }

  input SaveVersionInput {
    circuitId: ID!
    "The version these changes start from; a newer save in between gives a CONFLICT error."
    baseVersion: Int!
    graph: JSON!
    layout: JSON
    groups: JSON
    annotations: JSON
    message: String
  }

  input ForkCircuitInput {
    circuitId: ID!
    version: Int
    teamId: ID!
    title: String
  }

  input CreateShareLinkInput {
    circuitId: ID!
    "Omit to share every version."
    version: Int
    permission: SharePermission!
    expiresAt: DateTime
  }

  input AddCommentInput {
    target: CommentTargetInput!
    body: String!
    parentId: ID
  }

  input RequestReviewInput {
    circuitId: ID!
    version: Int
    reviewerIds: [ID!]!
  }

  input DecideReviewInput {
    reviewId: ID!
    decision: ReviewState!
    comment: String
  }

  input PromptPairInput {
    clean_prefix: String!
    patch_prefix: String!
    "With a leading space (e.g. ' is'); one token for the model."
    clean_answer: String!
    patch_answer: String!
  }

  "What to compute a sparse feature circuit for (Marks et al. 2024). Give a dataset name or pairs."
  input CircuitJobInput {
    teamId: ID!
    title: String!
    visibility: Visibility
    model: ID!
    "Default: every SAE of the model."
    saes: [ID!]
    "simple, nounpp, within_rc or rc (held-out generated pairs)."
    dataset: String
    pairs: [PromptPairInput!]
    "Pairs taken from the dataset (default 20); given pairs are all used."
    n: Int
    "ig (integrated gradients, default), atp (attribution patching) or exact (activation patching, a forward pass per node and pair: small models)."
    method: String
    steps: Int
    nodeThreshold: Float
    edgeThreshold: Float
    maxNodes: Int
    "position (default) or sum."
    aggregation: String
  }

  """
  What to compute a one-prompt attribution graph for (circuit-tracer's method, Ameisen et al. 2025): every MLP
  replaced by a transcoder, edges pruned by influence on the top next-token logits. No counterfactual needed.
  """
  input PromptGraphJobInput {
    teamId: ID!
    title: String!
    visibility: Visibility
    model: ID!
    "The prompt (at most 2,000 characters, and within the model's context)."
    prompt: String!
    "A transcoder set of the model: Transcoder.id up to its last '/' (the demo's: demo). Default: the first with a transcoder for every layer."
    transcoders: String
    "Keep nodes up to this share of the influence on the logits, 0-1 (default 0.8)."
    nodeThreshold: Float
    "Keep edges up to this share of the edge influence, 0-1 (default 0.98)."
    edgeThreshold: Float
    "At most this many transcoder feature nodes, chosen by influence (default 7500)."
    maxFeatureNodes: Int
  }

  type Mutation {
    "Computes a circuit in the background; the job's result names the circuit it stored."
    startCircuitJob(input: CircuitJobInput!): Job!
    "Computes a one-prompt attribution graph in the background, stored as a circuit; the job's result names it."
    startPromptGraphJob(input: PromptGraphJobInput!): Job!
    "Creates an account and signs in (sets the session cookie)."
    signUp(input: SignUpInput!): User!
    signIn(input: SignInInput!): User!
    "Ends the current session; true even when there was none."
    signOut: Boolean!
    createTeam(input: CreateTeamInput!): Team!
    "Admins and owners: how many people other than a label's author must vote it up to accept it (1-50). Recounts the team's labels."
    setLabelAcceptVotes(teamId: ID!, votes: Int!): Team!
    "Adds someone or changes their role: admins for members and viewers, owners for admins and owners."
    addTeamMember(input: AddMemberInput!): Member!
    "Removes a member (your own id: leaves the team). Admins remove members and viewers, owners anyone; the last owner stays."
    removeTeamMember(teamId: ID!, userId: ID!): Boolean!
    "role: ADMIN (owners only), MEMBER or VIEWER; days: 1-90 (default 7)."
    createInvitation(teamId: ID!, role: Role, days: Int): CreatedInvitation!
    "Joins with the link's role (keeping a higher one); the same errors as the invitation query."
    acceptInvitation(token: String!): Team!
    revokeInvitation(id: ID!): TeamInvitation!
    proposeLabel(input: ProposeLabelInput!): FeatureLabel!
    "Members: labels from a file as proposed labels by the importer, each with its source; a dry run by default."
    importLabels(input: ImportLabelsInput!): LabelImportReport!
    editLabel(input: EditLabelInput!): FeatureLabel!
    "value: 1 up, -1 down, 0 withdraw. Repeating a vote changes nothing."
    voteLabel(labelId: ID!, value: Int!): FeatureLabel!
    createCircuit(input: CreateCircuitInput!): Circuit!
    saveCircuitVersion(input: SaveVersionInput!): CircuitVersion!
    forkCircuit(input: ForkCircuitInput!): Circuit!
    setCircuitVisibility(circuitId: ID!, visibility: Visibility!): Circuit!
    "Whoever may comment may vote. value: 1 up, -1 down, 0 withdraw. Repeating a vote changes nothing."
    voteCircuit(circuitId: ID!, value: Int!): Circuit!
    createShareLink(input: CreateShareLinkInput!): CreatedShareLink!
    revokeShareLink(id: ID!): ShareLink!
    addComment(input: AddCommentInput!): Comment!
    setCommentResolved(id: ID!, resolved: Boolean!): Comment!
    requestReview(input: RequestReviewInput!): [Review!]!
    decideReview(input: DecideReviewInput!): Review!
    "Marks one of my notifications read."
    markNotificationRead(id: ID!): Notification!
    "Marks all my notifications read; returns how many were unread."
    markAllNotificationsRead: Int!
    """
    Computes dashboards for every feature of an SAE (sae), or of several SAEs of the model in one pass (saes; with
    sae too, both), over a corpus (demo, or a .txt in the corpora folder).
    """
    computeDashboards(model: ID!, sae: ID, saes: [ID!], corpus: String, maxContexts: Int): Job!
    """
    Members: drafts labels as proposed labels by the caller, marked machine-written: for one feature (featureIndex)
    or every feature of the SAE its dashboards show firing. With an LLM configured (labelDrafting) the job sends each
    feature's top and quantile contexts to it and scores each draft by detection, making at most maxRequests HTTP
    requests (default and cap in labelDrafting); without one it writes token-pattern drafts. Features the team
    already has such a draft of are skipped. A job: follow it with jobProgress.
    """
    explainFeatures(teamId: ID!, model: ID!, sae: ID!, featureIndex: Int, maxRequests: Int, visibility: Visibility): Job!
    "Members: a proposed label from the feature's dashboard: the tokens it fires on most and those it promotes (no LLM)."
    draftLabelFromTokenPattern(teamId: ID!, model: ID!, sae: ID!, featureIndex: Int!, visibility: Visibility): FeatureLabel!
    "Scores any node set of a circuit version (faithfulness, completeness) on the pairs it was computed from."
    evaluateSelection(circuitId: ID!, version: Int!, nodeIds: [String!]!): Job!
    """
    Ablates (mode mean: to their per-position means over the patch prompts, as the circuit's evaluation does; zero)
    or patches (patch: to their values on each pair's patch prompt) nodes of a circuit version on its prompt pairs,
    everything else kept. A job; its result has the metric per pair before and after, and the means.
    """
    ablateSelection(circuitId: ID!, version: Int!, nodeIds: [String!]!, mode: String!): Job!
    """
    Saves a steering run of the label's feature as evidence on the label (whoever may comment on it). The server runs
    it (steerFeature's arguments, the label naming model, SAE and feature) and saves the inputs and its result.
    """
    saveSteeringEvidence(
      labelId: ID!
      text: String!
      strength: Float!
      positions: [Int!]
      compareTokens: [String!]
      continuation: Int
      freezeAttention: Boolean
    ): Evidence!
    "Saves a finished ablateSelection job of this circuit version as evidence on it (whoever may comment on the circuit)."
    saveAblationEvidence(circuitId: ID!, version: Int!, jobId: ID!): Evidence!
    "Runs the job pipeline's health check: counts steps with progress."
    startSelftestJob(steps: Int, stepMs: Int, failAt: Int): Job!
    cancelJob(id: ID!): Job!
  }

  "A change to something an open page shows."
  type ChangeEvent {
    kind: String!
    id: String
    data: JSON!
  }

  type Subscription {
    "Fires with the team whenever the signed-in user joins or creates one."
    myTeamAdded: Team!
    "Labels, votes, comments and evidence (kind evidence, data.labelId) on one feature."
    featureChanged(feature: FeatureKeyInput!): ChangeEvent!
    "Versions, comments, reviews, votes and evidence (kind evidence, data.version) of one circuit."
    circuitChanged(circuitId: ID!): ChangeEvent!
    "Anything that lands in a team's activity (members, circuits, labels, comments, reviews), for team members."
    teamChanged(teamId: ID!): ChangeEvent!
    "Mentions, replies, review requests and decisions for me, and my notifications being read (kind read)."
    myInbox: ChangeEvent!
    "A job's progress, then its final state."
    jobProgress(id: ID!): Job!
  }
`;
