'use client';

import { useApolloClient, useMutation } from '@apollo/client/react';
import { type ChangeEvent, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { ImportLabelsMutation } from '../lib/generated/graphql';
import { EXPORT_LABELS, IMPORT_LABELS } from '../lib/operations';
import { Dialog } from './Dialog';

type ImportFormat = 'NEURONPEDIA' | 'FEATURE_CIRCUITS' | 'WORKBENCH' | 'CSV';

const FORMATS: { value: ImportFormat; label: string; accept: string }[] = [
  {
    value: 'NEURONPEDIA',
    label: 'Neuronpedia feature JSON (with explanations)',
    accept: '.json,.jsonl,application/json',
  },
  { value: 'FEATURE_CIRCUITS', label: 'feature-circuits annotations (JSONL)', accept: '.jsonl,.json' },
  { value: 'WORKBENCH', label: 'This app’s JSON export', accept: '.json,application/json' },
  { value: 'CSV', label: 'CSV (this app’s CSV export or a spreadsheet)', accept: '.csv,text/csv' },
];

/** A .csv file can only be read as CSV: choosing one switches the format (other extensions leave it as chosen). */
const formatOfFile = (name: string, chosen: ImportFormat): ImportFormat =>
  name.toLowerCase().endsWith('.csv') ? 'CSV' : chosen;

type Problem = ImportReport['errors'][number];

type ImportReport = ImportLabelsMutation['importLabels'];

/** Saves text as a file through a temporary link (the browser's download, no server route). */
function download(filename: string, contentType: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/** The team page's label export (JSON, CSV) and import with a dry run first. */
export function LabelTransfer({ teamId, canImport }: { teamId: string; canImport: boolean }) {
  const client = useApolloClient();
  const [exportError, setExportError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);

  async function onExport(format: 'JSON' | 'CSV') {
    setExportError(null);
    try {
      const { data } = await client.query({
        query: EXPORT_LABELS,
        variables: { teamId, format },
        fetchPolicy: 'no-cache',
      });
      if (data) download(data.exportLabels.filename, data.exportLabels.contentType, data.exportLabels.text);
    } catch (error) {
      setExportError(errorMessage(error));
    }
  }

  return (
    <div className="stack">
      <div className="row wrap">
        <button type="button" className="secondary" onClick={() => onExport('JSON')}>
          Export JSON
        </button>
        <button type="button" className="secondary" onClick={() => onExport('CSV')}>
          Export CSV
        </button>
        {canImport && (
          <button type="button" onClick={() => setOpen(true)}>
            Import labels…
          </button>
        )}
      </div>
      {exportError && (
        <p className="error" role="alert">
          {exportError}
        </p>
      )}
      <Dialog open={open} title="Import labels" onClose={() => setOpen(false)} wide>
        <ImportForm teamId={teamId} />
      </Dialog>
    </div>
  );
}

function ImportForm({ teamId }: { teamId: string }) {
  const [format, setFormat] = useState<ImportFormat>('NEURONPEDIA');
  const [modelId, setModelId] = useState('');
  const [visibility, setVisibility] = useState<'TEAM' | 'PUBLIC'>('TEAM');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [run, running] = useMutation(IMPORT_LABELS, {
    refetchQueries: ['Team'],
  });

  const reset = () => {
    setReport(null);
    setError(null);
  };
  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    reset();
    const chosen = event.target.files?.[0];
    if (chosen) setFormat((current) => formatOfFile(chosen.name, current));
    setFile(chosen ? { name: chosen.name, text: await chosen.text() } : null);
  }
  async function submit(dryRun: boolean) {
    if (!file) return;
    setError(null);
    try {
      const input = {
        teamId,
        format,
        text: file.text,
        visibility,
        dryRun,
        ...(format === 'FEATURE_CIRCUITS' || (format === 'CSV' && modelId.trim()) ? { modelId: modelId.trim() } : {}),
      };
      const { data } = await run({ variables: { input } });
      if (data) setReport(data.importLabels);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  const needsModel = format === 'FEATURE_CIRCUITS' && !modelId.trim();
  const imported = report && !report.dryRun;
  return (
    <div className="stack">
      <div className="row wrap align-end">
        <label>
          Format
          <select
            value={format}
            aria-label="Import format"
            onChange={(e) => {
              setFormat(e.target.value as ImportFormat);
              reset();
            }}
          >
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        {(format === 'FEATURE_CIRCUITS' || format === 'CSV') && (
          <label>
            {format === 'CSV' ? 'Model id (for rows without a model_id; optional)' : 'Model id (the file does not say)'}
            <input
              value={modelId}
              aria-label="Model id"
              placeholder={format === 'CSV' ? 'the one with that SAE' : 'demo'}
              onChange={(e) => {
                setModelId(e.target.value);
                reset();
              }}
            />
          </label>
        )}
        <label>
          Visibility
          <select
            value={visibility}
            aria-label="Imported label visibility"
            onChange={(e) => setVisibility(e.target.value as 'TEAM' | 'PUBLIC')}
          >
            <option value="TEAM">team</option>
            <option value="PUBLIC">public</option>
          </select>
        </label>
      </div>
      <label>
        File
        <input
          type="file"
          aria-label="Label file"
          accept={FORMATS.find((f) => f.value === format)!.accept}
          onChange={onFile}
        />
      </label>
      <p className="small muted">
        Each label is proposed by you, with the file and line it came from. A dry run shows what would change and writes
        nothing; a file with errors is not imported.
      </p>
      {format === 'CSV' && (
        <p className="small muted" data-testid="csv-columns">
          CSV: a header row naming at least <code>sae_id</code>, <code>feature_index</code> and <code>name</code> (or{' '}
          <code>sae</code>, <code>index</code>/<code>feature</code>, <code>label</code>; any case); optional{' '}
          <code>model_id</code> and <code>description</code>. Other columns are ignored.
        </p>
      )}
      <div className="row wrap">
        <button
          type="button"
          className="secondary"
          disabled={!file || needsModel || running.loading}
          onClick={() => submit(true)}
        >
          Dry run
        </button>
        {report?.dryRun && (
          <button
            type="button"
            disabled={running.loading || report.errorCount > 0 || report.created === 0}
            onClick={() => submit(false)}
          >
            Import {report.created} label{report.created === 1 ? '' : 's'}
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && <ImportReportView report={report} fileName={file?.name ?? ''} />}
      {imported && <p className="small muted">The team’s label list below now includes them.</p>}
    </div>
  );
}

function ImportReportView({ report, fileName }: { report: ImportReport; fileName: string }) {
  const labels = (n: number) => `${n} label${n === 1 ? '' : 's'}`;
  const verb = report.dryRun ? 'Would create' : 'Created';
  const blocked = report.dryRun && report.errorCount > 0;
  return (
    <section className="stack" aria-label={report.dryRun ? 'Dry run report' : 'Import report'}>
      <p data-testid="import-summary" role="status" className={blocked ? 'error' : undefined}>
        {blocked ? (
          <>
            <strong>
              {report.errorCount} error{report.errorCount === 1 ? '' : 's'}: nothing can be imported until the file is
              fixed
            </strong>
            ; the other lines would create {labels(report.created)}, skip {report.skipped}
          </>
        ) : (
          <>
            <strong>
              {verb} {labels(report.created)}
            </strong>
            , skip {report.skipped}, {report.errorCount} errors
          </>
        )}
        {fileName && <span className="muted"> · {fileName}</span>}
      </p>
      {report.errors.length > 0 && <ProblemTable title="Errors (fix these lines first)" rows={report.errors} />}
      {report.skippedRows.length > 0 && <ProblemTable title="Skipped" rows={report.skippedRows} />}
      {report.preview.length > 0 && (
        <table className="small" aria-label={report.dryRun ? 'Labels that would be created' : 'Labels created'}>
          <caption className="section-title">
            {report.dryRun ? 'Labels that would be created' : 'Labels created'}
          </caption>
          <thead>
            <tr>
              <th>Line</th>
              <th>Feature</th>
              <th>Label</th>
            </tr>
          </thead>
          <tbody>
            {report.preview.map((row) => (
              <tr key={`${row.line} ${row.saeId} ${row.featureIndex} ${row.name}`}>
                <td>{row.line}</td>
                <td>
                  {row.modelId} · {row.saeId} #{row.featureIndex}
                </td>
                <td>{row.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.created > report.preview.length && (
        <p className="small muted">The first {report.preview.length} are shown.</p>
      )}
    </section>
  );
}

function ProblemTable({ title, rows }: { title: string; rows: Problem[] }) {
  return (
    <table className="small" aria-label={title}>
      <caption className="section-title">{title}</caption>
      <thead>
        <tr>
          <th>Line</th>
          <th>Field</th>
          <th>Problem</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={`${p.line} ${p.field} ${p.message}`}>
            <td>{p.line}</td>
            <td>
              <code>{p.field}</code>
            </td>
            <td>{p.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
