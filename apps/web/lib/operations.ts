import { gql } from '@apollo/client';

export const ME = gql`
  query Me {
    me {
      id
      email
      displayName
    }
  }
`;

export const MY_TEAMS = gql`
  query MyTeams {
    myTeams {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;

export const SIGN_UP = gql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      id
      email
      displayName
    }
  }
`;

export const SIGN_IN = gql`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      id
      email
      displayName
    }
  }
`;

export const SIGN_OUT = gql`
  mutation SignOut {
    signOut
  }
`;

export const CREATE_TEAM = gql`
  mutation CreateTeam($name: String!) {
    createTeam(input: { name: $name }) {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;

export const MY_TEAM_ADDED = gql`
  subscription MyTeamAdded {
    myTeamAdded {
      id
      name
      slug
      myRole
      createdAt
    }
  }
`;

// ---- Circuits ----

export const CIRCUIT_FIELDS = gql`
  fragment CircuitFields on Circuit {
    id
    slug
    title
    teamId
    visibility
    latestVersion
    myAccess
    onlyVersion
    status
    createdBy {
      id
      displayName
    }
    reviewAgreement {
      approved
      changesRequested
      pending
      agreement
    }
    updatedAt
  }
`;

export const CIRCUIT = gql`
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

export const CIRCUIT_META = gql`
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

export const CIRCUIT_VERSIONS = gql`
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

export const CIRCUIT_DIFF = gql`
  query CircuitDiff($slug: String!, $from: Int!, $to: Int!) {
    circuit(slug: $slug) {
      id
      diff(from: $from, to: $to) {
        nodes {
          added
          removed
          changed
        }
        edges {
          added
          removed
          changed
        }
        annotations {
          added
          removed
          changed
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

export const CREATE_CIRCUIT = gql`
  mutation CreateCircuit($input: CreateCircuitInput!) {
    createCircuit(input: $input) {
      id
      slug
      title
      latestVersion
    }
  }
`;

export const SAVE_VERSION = gql`
  mutation SaveCircuitVersion($input: SaveVersionInput!) {
    saveCircuitVersion(input: $input) {
      number
      parent
      message
      createdAt
    }
  }
`;

export const SET_VISIBILITY = gql`
  mutation SetCircuitVisibility($circuitId: ID!, $visibility: Visibility!) {
    setCircuitVisibility(circuitId: $circuitId, visibility: $visibility) {
      id
      visibility
    }
  }
`;

export const SHARE_LINKS = gql`
  query ShareLinks($slug: String!) {
    circuit(slug: $slug) {
      id
      shareLinks {
        id
        version
        permission
        expiresAt
        revokedAt
        createdAt
      }
    }
  }
`;

export const CREATE_SHARE_LINK = gql`
  mutation CreateShareLink($input: CreateShareLinkInput!) {
    createShareLink(input: $input) {
      token
      path
      link {
        id
        version
        permission
        expiresAt
        revokedAt
        createdAt
      }
    }
  }
`;

export const REVOKE_SHARE_LINK = gql`
  mutation RevokeShareLink($id: ID!) {
    revokeShareLink(id: $id) {
      id
      revokedAt
    }
  }
`;

export const CIRCUIT_CHANGED = gql`
  subscription CircuitChanged($circuitId: ID!) {
    circuitChanged(circuitId: $circuitId) {
      kind
      id
      data
    }
  }
`;

// ---- Reviews ----

export const REQUEST_REVIEW = gql`
  mutation RequestReview($input: RequestReviewInput!) {
    requestReview(input: $input) {
      id
      state
    }
  }
`;

export const DECIDE_REVIEW = gql`
  mutation DecideReview($input: DecideReviewInput!) {
    decideReview(input: $input) {
      id
      state
      comment
      decidedAt
    }
  }
`;

export const REVIEW_QUEUE = gql`
  query ReviewQueue($pendingOnly: Boolean) {
    reviewQueue(first: 50, pendingOnly: $pendingOnly) {
      edges {
        node {
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
          circuit {
            id
            slug
            title
            status
            latestVersion
          }
        }
      }
    }
  }
`;

export const MY_INBOX = gql`
  subscription MyInbox {
    myInbox {
      kind
      id
      data
    }
  }
`;

// ---- Teams ----

export const TEAM = gql`
  query Team($id: ID!) {
    team(id: $id) {
      id
      name
      slug
      myRole
      createdAt
      members {
        role
        user {
          id
          email
          displayName
        }
      }
      circuits(first: 50) {
        edges {
          node {
            id
            slug
            title
            status
            visibility
            latestVersion
            updatedAt
            createdAt
            createdBy {
              id
              displayName
            }
            reviewAgreement {
              approved
              changesRequested
              pending
              agreement
            }
          }
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

export const TEAM_MEMBERS = gql`
  query TeamMembers($id: ID!) {
    team(id: $id) {
      id
      members {
        role
        user {
          id
          email
          displayName
        }
      }
    }
  }
`;

export const ADD_MEMBER = gql`
  mutation AddTeamMember($input: AddMemberInput!) {
    addTeamMember(input: $input) {
      role
      user {
        id
        email
        displayName
      }
    }
  }
`;

// ---- Labels ----

export const LABEL_FIELDS = gql`
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
    revision
    score
    myVote
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

export const FEATURE_LABELS = gql`
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

export const LABEL_REVISIONS = gql`
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

export const PROPOSE_LABEL = gql`
  ${LABEL_FIELDS}
  mutation ProposeLabel($input: ProposeLabelInput!) {
    proposeLabel(input: $input) {
      ...LabelFields
    }
  }
`;

export const EDIT_LABEL = gql`
  ${LABEL_FIELDS}
  mutation EditLabel($input: EditLabelInput!) {
    editLabel(input: $input) {
      ...LabelFields
    }
  }
`;

export const VOTE_LABEL = gql`
  ${LABEL_FIELDS}
  mutation VoteLabel($labelId: ID!, $value: Int!) {
    voteLabel(labelId: $labelId, value: $value) {
      ...LabelFields
    }
  }
`;

export const FEATURE_CHANGED = gql`
  subscription FeatureChanged($feature: FeatureKeyInput!) {
    featureChanged(feature: $feature) {
      kind
      id
      data
    }
  }
`;

// ---- Comments ----

export const COMMENTS = gql`
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

export const ADD_COMMENT = gql`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
      parentId
      body
    }
  }
`;

export const SET_COMMENT_RESOLVED = gql`
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
