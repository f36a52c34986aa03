import { gql, type TypedDocumentNode } from '@apollo/client';
import type * as Ops from './generated/graphql';

// The team page's label export and import (issue 16, item 4).

export const EXPORT_LABELS: TypedDocumentNode<Ops.ExportLabelsQuery, Ops.ExportLabelsQueryVariables> = gql`
  query ExportLabels($teamId: ID!, $format: LabelExportFormat!) {
    exportLabels(teamId: $teamId, format: $format) {
      filename
      contentType
      text
    }
  }
`;

export const IMPORT_LABELS: TypedDocumentNode<Ops.ImportLabelsMutation, Ops.ImportLabelsMutationVariables> = gql`
  mutation ImportLabels($input: ImportLabelsInput!) {
    importLabels(input: $input) {
      dryRun
      created
      skipped
      errorCount
      errors {
        line
        field
        message
      }
      skippedRows {
        line
        field
        message
      }
      preview {
        line
        modelId
        saeId
        featureIndex
        name
      }
    }
  }
`;
