import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

/** The models the circuit form offers a one-prompt graph for, with their transcoders (grouped into sets by id). */
export const GRAPH_BUILDER_MODELS: TypedDocumentNode<
  Ops.GraphBuilderModelsQuery,
  Ops.GraphBuilderModelsQueryVariables
> = gql`
  query GraphBuilderModels {
    models {
      id
      nLayers
      transcoders {
        id
        hookIn
        dSae
        architecture
        k
      }
    }
  }
`;

export const START_PROMPT_GRAPH_JOB: TypedDocumentNode<
  Ops.StartPromptGraphJobMutation,
  Ops.StartPromptGraphJobMutationVariables
> = gql`
  mutation StartPromptGraphJob($input: PromptGraphJobInput!) {
    startPromptGraphJob(input: $input) {
      id
      status
    }
  }
`;
