import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

/** An intervention saved on a label (kind steer) or a circuit version (kind ablate), with the inputs that re-run it. */
export type EvidenceRow = Ops.EvidenceFieldsFragment;

const EVIDENCE_FIELDS = gql`
  fragment EvidenceFields on Evidence {
    id
    kind
    labelId
    circuitId
    version
    inputs
    result
    author {
      id
      displayName
    }
    createdAt
  }
`;

export const LABEL_EVIDENCE: TypedDocumentNode<Ops.LabelEvidenceQuery, Ops.LabelEvidenceQueryVariables> = gql`
  ${EVIDENCE_FIELDS}
  query LabelEvidence($id: ID!) {
    label(id: $id) {
      id
      evidence {
        ...EvidenceFields
      }
    }
  }
`;

export const CIRCUIT_EVIDENCE: TypedDocumentNode<Ops.CircuitEvidenceQuery, Ops.CircuitEvidenceQueryVariables> = gql`
  ${EVIDENCE_FIELDS}
  query CircuitEvidence($slug: String!, $version: Int) {
    circuit(slug: $slug) {
      id
      evidence(version: $version) {
        ...EvidenceFields
      }
    }
  }
`;

export const SAVE_STEERING_EVIDENCE: TypedDocumentNode<
  Ops.SaveSteeringEvidenceMutation,
  Ops.SaveSteeringEvidenceMutationVariables
> = gql`
  ${EVIDENCE_FIELDS}
  mutation SaveSteeringEvidence(
    $labelId: ID!
    $text: String!
    $strength: Float!
    $positions: [Int!]
    $compareTokens: [String!]
    $continuation: Int
    $freezeAttention: Boolean
  ) {
    saveSteeringEvidence(
      labelId: $labelId
      text: $text
      strength: $strength
      positions: $positions
      compareTokens: $compareTokens
      continuation: $continuation
      freezeAttention: $freezeAttention
    ) {
      ...EvidenceFields
    }
  }
`;

export const SAVE_ABLATION_EVIDENCE: TypedDocumentNode<
  Ops.SaveAblationEvidenceMutation,
  Ops.SaveAblationEvidenceMutationVariables
> = gql`
  ${EVIDENCE_FIELDS}
  mutation SaveAblationEvidence($circuitId: ID!, $version: Int!, $jobId: ID!) {
    saveAblationEvidence(circuitId: $circuitId, version: $version, jobId: $jobId) {
      ...EvidenceFields
    }
  }
`;
