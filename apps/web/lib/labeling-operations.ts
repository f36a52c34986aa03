import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

export const SAE_FEATURES: TypedDocumentNode<Ops.SaeFeaturesQuery, Ops.SaeFeaturesQueryVariables> = gql`
  query SaeFeatures(
    $model: ID!
    $sae: ID!
    $teamId: ID
    $sort: SaeFeatureSort
    $filter: SaeFeatureFilter
    $offset: Int
  ) {
    saeFeatures(model: $model, sae: $sae, teamId: $teamId, sort: $sort, filter: $filter, offset: $offset, first: 100) {
      totalCount
      offset
      edges {
        node {
          featureIndex
          density
          maxActivation
          inCircuit
          lastActivityAt
          labelCount
          label {
            id
            name
            status
            score
            detectionScore
          }
        }
      }
    }
  }
`;

export const SAE_COVERAGE: TypedDocumentNode<Ops.SaeCoverageQuery, Ops.SaeCoverageQueryVariables> = gql`
  query SaeCoverage($model: ID!, $sae: ID!, $teamId: ID) {
    saeCoverage(model: $model, sae: $sae, teamId: $teamId) {
      features
      labeled
      accepted
      disputed
      dead
      withDashboards
      inCircuits
    }
  }
`;

export const SAE_FEATURE_NEIGHBOURS: TypedDocumentNode<
  Ops.SaeFeatureNeighboursQuery,
  Ops.SaeFeatureNeighboursQueryVariables
> = gql`
  query SaeFeatureNeighbours(
    $model: ID!
    $sae: ID!
    $featureIndex: Int!
    $teamId: ID
    $sort: SaeFeatureSort
    $filter: SaeFeatureFilter
  ) {
    saeFeatureNeighbours(
      model: $model
      sae: $sae
      featureIndex: $featureIndex
      teamId: $teamId
      sort: $sort
      filter: $filter
    ) {
      position
      total
      previous
      next
      nextUnlabeled
    }
  }
`;

export const SEARCH_LABELS: TypedDocumentNode<Ops.SearchLabelsQuery, Ops.SearchLabelsQueryVariables> = gql`
  query SearchLabels($query: String!) {
    searchLabels(query: $query, first: 20) {
      rank
      label {
        id
        modelId
        saeId
        featureIndex
        name
        description
        status
        score
      }
    }
  }
`;

/** The API's models and SAEs, as the /models/... route asks for them on the server (printed and sent with fetch). */
export const ROUTE_CATALOG: TypedDocumentNode<Ops.RouteCatalogQuery, Ops.RouteCatalogQueryVariables> = gql`
  query RouteCatalog {
    models {
      id
      saes {
        id
        dSae
      }
    }
  }
`;
