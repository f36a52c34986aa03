import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

/** Whether an LLM drafts labels here (and which, where), and the explain jobs' request cap. */
export const LABEL_DRAFTING: TypedDocumentNode<Ops.LabelDraftingQuery, Ops.LabelDraftingQueryVariables> = gql`
  query LabelDrafting {
    labelDrafting {
      llmConfigured
      model
      endpoint
      defaultMaxRequests
      maxRequestsCap
    }
  }
`;

export const EXPLAIN_FEATURES: TypedDocumentNode<Ops.ExplainFeaturesMutation, Ops.ExplainFeaturesMutationVariables> =
  gql`
    mutation ExplainFeatures($teamId: ID!, $model: ID!, $sae: ID!, $featureIndex: Int, $maxRequests: Int) {
      explainFeatures(teamId: $teamId, model: $model, sae: $sae, featureIndex: $featureIndex, maxRequests: $maxRequests) {
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

export const DRAFT_FROM_TOKEN_PATTERN: TypedDocumentNode<
  Ops.DraftFromTokenPatternMutation,
  Ops.DraftFromTokenPatternMutationVariables
> = gql`
  mutation DraftFromTokenPattern($teamId: ID!, $model: ID!, $sae: ID!, $featureIndex: Int!) {
    draftLabelFromTokenPattern(teamId: $teamId, model: $model, sae: $sae, featureIndex: $featureIndex) {
      id
      name
    }
  }
`;
