import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

// Fragments: one selection for each type that several operations read, so the cache gets the same fields.

const USER_FIELDS = gql`
  fragment UserFields on User {
    id
    email
    displayName
  }
`;

/** What the signed-in user may do in a team (Team.can: the server's policy, never ranks compared here). */
export type TeamPermissions = Ops.TeamFieldsFragment['can'];

/** What the signed-in user or share-link holder may do with a circuit (Circuit.can). */
export type CircuitPermissions = Ops.CircuitFieldsFragment['can'];

const TEAM_FIELDS = gql`
  fragment TeamFields on Team {
    id
    name
    slug
    myRole
    labelAcceptVotes
    can {
      manageMembers
      manageAdmins
      changeSettings
      createCircuits
      computeCircuits
      proposeLabels
      participate
    }
    createdAt
  }
`;

const MEMBER_FIELDS = gql`
  ${USER_FIELDS}
  fragment MemberFields on Member {
    role
    user {
      ...UserFields
    }
  }
`;

const REVIEW_AGREEMENT_FIELDS = gql`
  fragment ReviewAgreementFields on ReviewAgreement {
    approved
    changesRequested
    pending
    agreement
  }
`;

const CIRCUIT_VOTE_FIELDS = gql`
  # __typename (which Apollo adds anyway) is selected so the generated types have it: CircuitVotes' optimistic answer
  # must carry it, as the server's does.
  fragment CircuitVoteFields on Circuit {
    __typename
    id
    score
    myVote
    voteAgreement {
      __typename
      up
      down
    }
  }
`;

const SHARE_LINK_FIELDS = gql`
  fragment ShareLinkFields on ShareLink {
    id
    version
    permission
    expiresAt
    revokedAt
    createdAt
  }
`;

const ID_CHANGES_FIELDS = gql`
  fragment IdChangesFields on IdChanges {
    added
    removed
    changed
  }
`;

export const ME: TypedDocumentNode<Ops.MeQuery, Ops.MeQueryVariables> = gql`
  ${USER_FIELDS}
  query Me {
    me {
      ...UserFields
    }
  }
`;

export const MY_TEAMS: TypedDocumentNode<Ops.MyTeamsQuery, Ops.MyTeamsQueryVariables> = gql`
  ${TEAM_FIELDS}
  query MyTeams {
    myTeams {
      ...TeamFields
    }
  }
`;

export const SIGN_UP: TypedDocumentNode<Ops.SignUpMutation, Ops.SignUpMutationVariables> = gql`
  ${USER_FIELDS}
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...UserFields
    }
  }
`;

export const SIGN_IN: TypedDocumentNode<Ops.SignInMutation, Ops.SignInMutationVariables> = gql`
  ${USER_FIELDS}
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      ...UserFields
    }
  }
`;

export const SIGN_OUT: TypedDocumentNode<Ops.SignOutMutation, Ops.SignOutMutationVariables> = gql`
  mutation SignOut {
    signOut
  }
`;

export const CREATE_TEAM: TypedDocumentNode<Ops.CreateTeamMutation, Ops.CreateTeamMutationVariables> = gql`
  ${TEAM_FIELDS}
  mutation CreateTeam($name: String!) {
    createTeam(input: { name: $name }) {
      ...TeamFields
    }
  }
`;

export const MY_TEAM_ADDED: TypedDocumentNode<Ops.MyTeamAddedSubscription, Ops.MyTeamAddedSubscriptionVariables> = gql`
  ${TEAM_FIELDS}
  subscription MyTeamAdded {
    myTeamAdded {
      ...TeamFields
    }
  }
`;

// ---- Circuits ----

const CIRCUIT_FIELDS = gql`
  ${REVIEW_AGREEMENT_FIELDS}
  fragment CircuitFields on Circuit {
    id
    slug
    title
    teamId
    visibility
    latestVersion
    can {
      comment
      edit
      manage
    }
    onlyVersion
    status
    approvedVersion
    createdBy {
      id
      displayName
    }
    reviewAgreement {
      ...ReviewAgreementFields
    }
    updatedAt
  }
`;

export const CIRCUIT: TypedDocumentNode<Ops.CircuitQuery, Ops.CircuitQueryVariables> = gql`
  ${CIRCUIT_FIELDS}
  query Circuit($slug: String!, $number: Int) {
    circuit(slug: $slug) {
      ...CircuitFields
      version(number: $number) {
        number
        parent
        graph
        layout
        groups
        annotations
        message
        createdAt
        author {
          id
          displayName
        }
      }
    }
  }
`;

export const CIRCUIT_META: TypedDocumentNode<Ops.CircuitMetaQuery, Ops.CircuitMetaQueryVariables> = gql`
  ${CIRCUIT_FIELDS}
  query CircuitMeta($slug: String!) {
    circuit(slug: $slug) {
      ...CircuitFields
      reviews {
        id
        version
        state
        comment
        decidedAt
        createdAt
        reviewer {
          id
          displayName
          email
        }
        requestedBy {
          id
          displayName
        }
      }
    }
  }
`;

export const CIRCUIT_VERSIONS: TypedDocumentNode<Ops.CircuitVersionsQuery, Ops.CircuitVersionsQueryVariables> = gql`
  query CircuitVersions($slug: String!) {
    circuit(slug: $slug) {
      id
      versions {
        number
        parent
        message
        createdAt
        author {
          id
          displayName
        }
      }
    }
  }
`;

export const CIRCUIT_DIFF: TypedDocumentNode<Ops.CircuitDiffQuery, Ops.CircuitDiffQueryVariables> = gql`
  ${ID_CHANGES_FIELDS}
  query CircuitDiff($slug: String!, $from: Int!, $to: Int!) {
    circuit(slug: $slug) {
      id
      diff(from: $from, to: $to) {
        nodes {
          ...IdChangesFields
        }
        edges {
          ...IdChangesFields
        }
        annotations {
          ...IdChangesFields
        }
      }
      version(number: $from) {
        number
        graph
        layout
      }
    }
  }
`;

export const CREATE_CIRCUIT: TypedDocumentNode<Ops.CreateCircuitMutation, Ops.CreateCircuitMutationVariables> = gql`
  mutation CreateCircuit($input: CreateCircuitInput!) {
    createCircuit(input: $input) {
      id
      slug
      title
      latestVersion
    }
  }
`;

export const SAVE_VERSION: TypedDocumentNode<Ops.SaveCircuitVersionMutation, Ops.SaveCircuitVersionMutationVariables> =
  gql`
  mutation SaveCircuitVersion($input: SaveVersionInput!) {
    saveCircuitVersion(input: $input) {
      number
      parent
      message
      createdAt
    }
  }
`;

export const SET_VISIBILITY: TypedDocumentNode<
  Ops.SetCircuitVisibilityMutation,
  Ops.SetCircuitVisibilityMutationVariables
> = gql`
  mutation SetCircuitVisibility($circuitId: ID!, $visibility: Visibility!) {
    setCircuitVisibility(circuitId: $circuitId, visibility: $visibility) {
      id
      visibility
    }
  }
`;

export const SHARE_LINKS: TypedDocumentNode<Ops.ShareLinksQuery, Ops.ShareLinksQueryVariables> = gql`
  ${SHARE_LINK_FIELDS}
  query ShareLinks($slug: String!) {
    circuit(slug: $slug) {
      id
      shareLinks {
        ...ShareLinkFields
      }
    }
  }
`;

export const CREATE_SHARE_LINK: TypedDocumentNode<Ops.CreateShareLinkMutation, Ops.CreateShareLinkMutationVariables> =
  gql`
  ${SHARE_LINK_FIELDS}
  mutation CreateShareLink($input: CreateShareLinkInput!) {
    createShareLink(input: $input) {
      token
      path
      link {
        ...ShareLinkFields
      }
    }
  }
`;

export const REVOKE_SHARE_LINK: TypedDocumentNode<Ops.RevokeShareLinkMutation, Ops.RevokeShareLinkMutationVariables> =
  gql`
  mutation RevokeShareLink($id: ID!) {
    revokeShareLink(id: $id) {
      id
      revokedAt
    }
  }
`;

/** The circuit's votes and whether I may vote (what the review panel, team list and review queue show). */
export const CIRCUIT_VOTES: TypedDocumentNode<Ops.CircuitVotesQuery, Ops.CircuitVotesQueryVariables> = gql`
  ${CIRCUIT_VOTE_FIELDS}
  query CircuitVotes($slug: String!) {
    circuit(slug: $slug) {
      can {
        comment
        edit
        manage
      }
      ...CircuitVoteFields
    }
  }
`;

export const VOTE_CIRCUIT: TypedDocumentNode<Ops.VoteCircuitMutation, Ops.VoteCircuitMutationVariables> = gql`
  ${CIRCUIT_VOTE_FIELDS}
  mutation VoteCircuit($circuitId: ID!, $value: Int!) {
    voteCircuit(circuitId: $circuitId, value: $value) {
      ...CircuitVoteFields
    }
  }
`;

export const CIRCUIT_CHANGED: TypedDocumentNode<
  Ops.CircuitChangedSubscription,
  Ops.CircuitChangedSubscriptionVariables
> = gql`
  subscription CircuitChanged($circuitId: ID!) {
    circuitChanged(circuitId: $circuitId) {
      kind
      id
      data
    }
  }
`;

// ---- Reviews ----

export const REQUEST_REVIEW: TypedDocumentNode<Ops.RequestReviewMutation, Ops.RequestReviewMutationVariables> = gql`
  mutation RequestReview($input: RequestReviewInput!) {
    requestReview(input: $input) {
      id
      state
    }
  }
`;

export const DECIDE_REVIEW: TypedDocumentNode<Ops.DecideReviewMutation, Ops.DecideReviewMutationVariables> = gql`
  mutation DecideReview($input: DecideReviewInput!) {
    decideReview(input: $input) {
      id
      state
      comment
      decidedAt
    }
  }
`;

const REVIEW_CARD_FIELDS = gql`
  ${CIRCUIT_VOTE_FIELDS}
  fragment ReviewCardFields on Review {
    id
    version
    state
    comment
    decidedAt
    createdAt
    requestedBy {
      id
      displayName
    }
    reviewer {
      id
      displayName
    }
    circuit {
      id
      slug
      title
      status
      approvedVersion
      latestVersion
      can {
        comment
        edit
        manage
      }
      ...CircuitVoteFields
    }
  }
`;

export const REVIEW_QUEUE: TypedDocumentNode<Ops.ReviewQueueQuery, Ops.ReviewQueueQueryVariables> = gql`
  ${REVIEW_CARD_FIELDS}
  query ReviewQueue($pendingOnly: Boolean) {
    reviewQueue(first: 50, pendingOnly: $pendingOnly) {
      edges {
        node {
          ...ReviewCardFields
        }
      }
    }
  }
`;

export const MY_REVIEW_REQUESTS: TypedDocumentNode<Ops.MyReviewRequestsQuery, Ops.MyReviewRequestsQueryVariables> = gql`
  ${REVIEW_CARD_FIELDS}
  query MyReviewRequests($pendingOnly: Boolean) {
    myReviewRequests(first: 50, pendingOnly: $pendingOnly) {
      edges {
        node {
          ...ReviewCardFields
        }
      }
    }
  }
`;

export const MY_INBOX: TypedDocumentNode<Ops.MyInboxSubscription, Ops.MyInboxSubscriptionVariables> = gql`
  subscription MyInbox {
    myInbox {
      kind
      id
      data
    }
  }
`;

// ---- Inbox ----

export const UNREAD_NOTIFICATION_COUNT: TypedDocumentNode<
  Ops.UnreadNotificationCountQuery,
  Ops.UnreadNotificationCountQueryVariables
> = gql`
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`;

export const NOTIFICATIONS: TypedDocumentNode<Ops.NotificationsQuery, Ops.NotificationsQueryVariables> = gql`
  query Notifications($unreadOnly: Boolean) {
    notifications(unreadOnly: $unreadOnly, first: 200) {
      id
      kind
      subject
      path
      excerpt
      read
      createdAt
      data
      actor {
        id
        displayName
      }
    }
  }
`;

export const MARK_NOTIFICATION_READ: TypedDocumentNode<
  Ops.MarkNotificationReadMutation,
  Ops.MarkNotificationReadMutationVariables
> = gql`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      read
    }
  }
`;

export const MARK_ALL_NOTIFICATIONS_READ: TypedDocumentNode<
  Ops.MarkAllNotificationsReadMutation,
  Ops.MarkAllNotificationsReadMutationVariables
> = gql`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`;

export const MENTION_CANDIDATES: TypedDocumentNode<Ops.MentionCandidatesQuery, Ops.MentionCandidatesQueryVariables> =
  gql`
  query MentionCandidates($target: CommentTargetInput!, $search: String) {
    mentionCandidates(target: $target, search: $search) {
      id
      displayName
      email
    }
  }
`;

// ---- Teams ----

export const TEAM: TypedDocumentNode<Ops.TeamQuery, Ops.TeamQueryVariables> = gql`
  ${TEAM_FIELDS}
  ${MEMBER_FIELDS}
  ${REVIEW_AGREEMENT_FIELDS}
  ${CIRCUIT_VOTE_FIELDS}
  query Team($id: ID!) {
    team(id: $id) {
      ...TeamFields
      members {
        ...MemberFields
      }
      circuits(first: 50) {
        edges {
          node {
            id
            slug
            title
            status
            approvedVersion
            visibility
            latestVersion
            faithfulness
            updatedAt
            createdAt
            createdBy {
              id
              displayName
            }
            reviewAgreement {
              ...ReviewAgreementFields
            }
            can {
              comment
              edit
              manage
            }
            ...CircuitVoteFields
          }
        }
        pageInfo {
          hasNextPage
        }
      }
      labels(first: 100) {
        edges {
          node {
            id
            name
            status
            score
            modelId
            saeId
            featureIndex
            updatedAt
          }
        }
        pageInfo {
          hasNextPage
        }
      }
      activity(first: 100) {
        id
        action
        subjectType
        subjectId
        data
        createdAt
        actor {
          id
          displayName
        }
      }
    }
  }
`;

export const TEAM_CHANGED: TypedDocumentNode<Ops.TeamChangedSubscription, Ops.TeamChangedSubscriptionVariables> = gql`
  subscription TeamChanged($teamId: ID!) {
    teamChanged(teamId: $teamId) {
      kind
      id
      data
    }
  }
`;

export const TEAM_MEMBERS: TypedDocumentNode<Ops.TeamMembersQuery, Ops.TeamMembersQueryVariables> = gql`
  ${MEMBER_FIELDS}
  query TeamMembers($id: ID!) {
    team(id: $id) {
      id
      members {
        ...MemberFields
      }
    }
  }
`;

export const SET_LABEL_ACCEPT_VOTES: TypedDocumentNode<
  Ops.SetLabelAcceptVotesMutation,
  Ops.SetLabelAcceptVotesMutationVariables
> = gql`
  mutation SetLabelAcceptVotes($teamId: ID!, $votes: Int!) {
    setLabelAcceptVotes(teamId: $teamId, votes: $votes) {
      id
      labelAcceptVotes
    }
  }
`;

export const ADD_MEMBER: TypedDocumentNode<Ops.AddTeamMemberMutation, Ops.AddTeamMemberMutationVariables> = gql`
  ${MEMBER_FIELDS}
  mutation AddTeamMember($input: AddMemberInput!) {
    addTeamMember(input: $input) {
      ...MemberFields
    }
  }
`;

// ---- Labels ----

const LABEL_FIELDS = gql`
  fragment LabelFields on FeatureLabel {
    id
    modelId
    saeId
    featureIndex
    teamId
    visibility
    status
    name
    description
    source
    detectionScore
    revision
    revisedAt
    score
    myVote
    can {
      vote
      comment
      addEvidence
      edit
    }
    createdAt
    updatedAt
    author {
      id
      displayName
    }
    agreement {
      up
      down
      agreement
    }
  }
`;

export const FEATURE_LABELS: TypedDocumentNode<Ops.FeatureLabelsQuery, Ops.FeatureLabelsQueryVariables> = gql`
  ${LABEL_FIELDS}
  query FeatureLabels($feature: FeatureKeyInput!) {
    featureLabels(feature: $feature, first: 50) {
      edges {
        node {
          ...LabelFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const SHOWN_LABELS: TypedDocumentNode<Ops.ShownLabelsQuery, Ops.ShownLabelsQueryVariables> = gql`
  query ShownLabels($features: [FeatureKeyInput!]!, $teamId: ID) {
    shownLabels(features: $features, teamId: $teamId) {
      id
      name
      status
    }
  }
`;

export const LABEL_REVISIONS: TypedDocumentNode<Ops.LabelRevisionsQuery, Ops.LabelRevisionsQueryVariables> = gql`
  query LabelRevisions($id: ID!) {
    label(id: $id) {
      id
      revisions {
        revision
        name
        description
        createdAt
        author {
          id
          displayName
        }
      }
    }
  }
`;

export const PROPOSE_LABEL: TypedDocumentNode<Ops.ProposeLabelMutation, Ops.ProposeLabelMutationVariables> = gql`
  ${LABEL_FIELDS}
  mutation ProposeLabel($input: ProposeLabelInput!) {
    proposeLabel(input: $input) {
      ...LabelFields
    }
  }
`;

export const EDIT_LABEL: TypedDocumentNode<Ops.EditLabelMutation, Ops.EditLabelMutationVariables> = gql`
  ${LABEL_FIELDS}
  mutation EditLabel($input: EditLabelInput!) {
    editLabel(input: $input) {
      ...LabelFields
    }
  }
`;

export const VOTE_LABEL: TypedDocumentNode<Ops.VoteLabelMutation, Ops.VoteLabelMutationVariables> = gql`
  ${LABEL_FIELDS}
  mutation VoteLabel($labelId: ID!, $value: Int!) {
    voteLabel(labelId: $labelId, value: $value) {
      ...LabelFields
    }
  }
`;

export const FEATURE_CHANGED: TypedDocumentNode<
  Ops.FeatureChangedSubscription,
  Ops.FeatureChangedSubscriptionVariables
> = gql`
  subscription FeatureChanged($feature: FeatureKeyInput!) {
    featureChanged(feature: $feature) {
      kind
      id
      data
    }
  }
`;

// ---- Comments ----

export const COMMENTS: TypedDocumentNode<Ops.CommentsQuery, Ops.CommentsQueryVariables> = gql`
  query Comments($target: CommentTargetInput!) {
    comments(target: $target, first: 100) {
      edges {
        node {
          id
          targetType
          targetKey
          parentId
          body
          resolved
          createdAt
          author {
            id
            displayName
          }
          resolvedBy {
            id
            displayName
          }
        }
      }
    }
  }
`;

export const ADD_COMMENT: TypedDocumentNode<Ops.AddCommentMutation, Ops.AddCommentMutationVariables> = gql`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
      parentId
      body
    }
  }
`;

export const SET_COMMENT_RESOLVED: TypedDocumentNode<
  Ops.SetCommentResolvedMutation,
  Ops.SetCommentResolvedMutationVariables
> = gql`
  mutation SetCommentResolved($id: ID!, $resolved: Boolean!) {
    setCommentResolved(id: $id, resolved: $resolved) {
      id
      resolved
      resolvedBy {
        id
        displayName
      }
    }
  }
`;

// ---- Explorer, dashboards, jobs, invitations ----

export const FEATURE_DASHBOARD: TypedDocumentNode<Ops.FeatureDashboardQuery, Ops.FeatureDashboardQueryVariables> = gql`
  query FeatureDashboard($sae: ID!, $index: Int!) {
    featureDashboard(sae: $sae, featureIndex: $index) {
      maxActivation
      density
      histogram
      topContexts
      quantiles
      topLogits
      bottomLogits
      corpus
      createdAt
    }
    me {
      id
    }
  }
`;

export const COMPUTE_DASHBOARDS: TypedDocumentNode<
  Ops.ComputeDashboardsMutation,
  Ops.ComputeDashboardsMutationVariables
> = gql`
  mutation ComputeDashboards($model: ID!, $sae: ID!) {
    computeDashboards(model: $model, sae: $sae) {
      id
      status
    }
  }
`;

export const TEAM_INVITATIONS: TypedDocumentNode<Ops.TeamInvitationsQuery, Ops.TeamInvitationsQueryVariables> = gql`
  query TeamInvitations($id: ID!) {
    team(id: $id) {
      id
      invitations {
        id
        role
        expiresAt
        revokedAt
        uses
      }
    }
  }
`;

export const CREATE_INVITATION: TypedDocumentNode<Ops.CreateInvitationMutation, Ops.CreateInvitationMutationVariables> =
  gql`
  mutation CreateInvitation($teamId: ID!, $role: Role, $days: Int) {
    createInvitation(teamId: $teamId, role: $role, days: $days) {
      path
    }
  }
`;

export const REVOKE_INVITATION: TypedDocumentNode<Ops.RevokeInvitationMutation, Ops.RevokeInvitationMutationVariables> =
  gql`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      id
      revokedAt
    }
  }
`;

export const JOB_PROGRESS: TypedDocumentNode<Ops.JobProgressSubscription, Ops.JobProgressSubscriptionVariables> = gql`
  subscription JobProgress($id: ID!) {
    jobProgress(id: $id) {
      id
      status
      stage
      percent
      etaSeconds
      error
      result
    }
  }
`;

export const EVALUATE_SELECTION: TypedDocumentNode<
  Ops.EvaluateSelectionMutation,
  Ops.EvaluateSelectionMutationVariables
> = gql`
  mutation EvaluateSelection($circuitId: ID!, $version: Int!, $nodeIds: [String!]!) {
    evaluateSelection(circuitId: $circuitId, version: $version, nodeIds: $nodeIds) {
      id
    }
  }
`;

export const EXPLORER_MODELS: TypedDocumentNode<Ops.ExplorerModelsQuery, Ops.ExplorerModelsQueryVariables> = gql`
  query ExplorerModels {
    models {
      id
      nLayers
      contextLength
      vocabulary
      saes {
        id
        hook
        dIn
        dSae
        architecture
        encoderUrl
      }
    }
  }
`;

export const EXPLORER_ACTIVATIONS: TypedDocumentNode<
  Ops.ExplorerActivationsQuery,
  Ops.ExplorerActivationsQueryVariables
> = gql`
  query ExplorerActivations($model: ID!, $hook: String!, $text: String!, $sae: ID) {
    activations(model: $model, hook: $hook, text: $text, sae: $sae) {
      tokens
      shape
      data
    }
  }
`;

export const INVITATION_PREVIEW: TypedDocumentNode<Ops.InvitationPreviewQuery, Ops.InvitationPreviewQueryVariables> =
  gql`
  query InvitationPreview($token: String!) {
    invitation(token: $token) {
      teamName
      role
      expiresAt
    }
  }
`;

export const ACCEPT_INVITATION: TypedDocumentNode<Ops.AcceptInvitationMutation, Ops.AcceptInvitationMutationVariables> =
  gql`
  mutation AcceptInvitation($token: String!) {
    acceptInvitation(token: $token) {
      id
      myRole
      can {
        manageMembers
        manageAdmins
        createCircuits
        computeCircuits
        proposeLabels
        participate
      }
    }
  }
`;

export const BUILDER_MODELS: TypedDocumentNode<Ops.BuilderModelsQuery, Ops.BuilderModelsQueryVariables> = gql`
  query BuilderModels {
    models {
      id
      nLayers
      saes {
        id
        hook
      }
      transcoders {
        id
      }
    }
  }
`;

export const START_CIRCUIT_JOB: TypedDocumentNode<Ops.StartCircuitJobMutation, Ops.StartCircuitJobMutationVariables> =
  gql`
  mutation StartCircuitJob($input: CircuitJobInput!) {
    startCircuitJob(input: $input) {
      id
      status
    }
  }
`;

// The circuit form's one-prompt attribution graph (checked with the rest by tests/contract).
export * from './graph-job-operations';
// Steering from a feature page, ablation from the circuit editor (checked with the rest by tests/contract).
export * from './intervention-operations';
// The team page's label export and import (checked with the rest by tests/contract).
export * from './label-transfer-operations';
// The SAE page, the feature page's labeling flow and the header's label search (checked with the rest by tests/contract).
export * from './labeling-operations';
// The walkthrough at /learn (checked with the rest by tests/contract).
export * from './learn-operations';
