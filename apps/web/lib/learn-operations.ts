import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

/** The walkthrough's demo circuit (public; the server computes it once). */
export const LEARN_CIRCUIT: TypedDocumentNode<Ops.LearnCircuitQuery, Ops.LearnCircuitQueryVariables> = gql`
  query LearnCircuit {
    learnCircuit {
      model
      cleanPrefix
      patchPrefix
      cleanAnswer
      patchAnswer
      graph
    }
  }
`;
