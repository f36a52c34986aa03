import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

/** Query.steerFeature as STEER_FEATURE reads it; steering evidence saves the same as its result. */
export type SteeringResult = Ops.SteerFeatureQuery['steerFeature'];
export type SteeringRun = SteeringResult['unsteered'];

const STEERING_RUN_FIELDS = gql`
  fragment SteeringRunFields on SteeringRun {
    logitDiff
    continuation
    continuationText
    topTokens {
      tokenId
      token
      probability
      logit
    }
  }
`;

export const STEER_FEATURE: TypedDocumentNode<Ops.SteerFeatureQuery, Ops.SteerFeatureQueryVariables> = gql`
  ${STEERING_RUN_FIELDS}
  query SteerFeature(
    $model: ID!
    $sae: ID!
    $feature: Int!
    $text: String!
    $strength: Float!
    $positions: [Int!]
    $compareTokens: [String!]
    $continuation: Int
    $freezeAttention: Boolean
  ) {
    steerFeature(
      model: $model
      sae: $sae
      feature: $feature
      text: $text
      strength: $strength
      positions: $positions
      compareTokens: $compareTokens
      continuation: $continuation
      freezeAttention: $freezeAttention
    ) {
      tokens
      positions
      hook
      scale
      scaleSource
      addedNorm
      compareTokens
      unsteered {
        ...SteeringRunFields
      }
      steered {
        ...SteeringRunFields
      }
      frozen {
        ...SteeringRunFields
      }
    }
  }
`;

export type AblationMode = 'mean' | 'zero' | 'patch';

/** The result of an ablateSelection job. */
export interface AblationResult {
  mode: AblationMode;
  nodes: number;
  meanBefore: number;
  meanAfter: number;
  pairs: { clean: string; patch: string; cleanAnswer: string; patchAnswer: string; before: number; after: number }[];
}

export const ABLATE_SELECTION: TypedDocumentNode<Ops.AblateSelectionMutation, Ops.AblateSelectionMutationVariables> =
  gql`
  mutation AblateSelection($circuitId: ID!, $version: Int!, $nodeIds: [String!]!, $mode: String!) {
    ablateSelection(circuitId: $circuitId, version: $version, nodeIds: $nodeIds, mode: $mode) {
      id
    }
  }
`;
