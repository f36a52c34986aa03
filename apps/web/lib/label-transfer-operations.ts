import { gql } from '@apollo/client';

// The team page's label export and import (issue 16, item 4).

export const EXPORT_LABELS = gql`
  query ExportLabels($teamId: ID!, $format: LabelExportFormat!) {
    exportLabels(teamId: $teamId, format: $format) {
      filename
      contentType
      text
    }
  }
`;

export const IMPORT_LABELS = gql`
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
