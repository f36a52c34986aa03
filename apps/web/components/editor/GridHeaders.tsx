'use client';

import { useStore } from '@xyflow/react';
import type { LayoutGrid } from '../../lib/layout';
import { NODE_H } from './derive';

interface GridHeadersProps {
  grid: LayoutGrid;
  /** Row names by row (see rowLabels). */
  rows: Map<number, string>;
  /** The prompt's token at each position, and the patched prompt's where it differs. */
  tokens: { clean: string; patch?: string }[];
}

/** Headers narrower than this on screen show only the position. */
const MIN_TOKEN_PX = 34;

/**
 * The figure's axes, as in Marks et al.'s and circuit-tracer's graphs: the prompt's tokens head the columns (the
 * token where the patched prompt differs reads "boy→boys") and each row is named on the left ("L2 mlp"). They follow
 * the canvas as it pans and zooms but stay pinned to the top and left edges, like a spreadsheet's headers.
 */
export function GridHeaders({ grid, rows, tokens }: GridHeadersProps) {
  const [tx, ty, zoom] = useStore((s) => s.transform);
  const summed = grid.columns.length === 1 && tokens.length === 0;
  return (
    <>
      <div className="grid-columns" data-testid="token-headers">
        {grid.columns.map((column) => {
          const token = tokens[column.pos];
          const width = column.width * zoom;
          return (
            <div
              key={column.pos}
              className={`grid-column${token?.patch !== undefined ? ' differs' : ''}`}
              data-testid="token-header"
              data-pos={column.pos}
              style={{ left: tx + column.x * zoom, width }}
              title={
                token
                  ? `position ${column.pos}: “${token.clean}”${token.patch !== undefined ? ` → “${token.patch}”` : ''}`
                  : `position ${column.pos}`
              }
            >
              {summed ? (
                'all positions'
              ) : token && width >= MIN_TOKEN_PX ? (
                <>
                  <span className="token-text">{visible(token.clean)}</span>
                  {token.patch !== undefined && (
                    <>
                      <span className="token-arrow">→</span>
                      <span className="token-text patch">{visible(token.patch)}</span>
                    </>
                  )}
                </>
              ) : (
                `@${column.pos}`
              )}
            </div>
          );
        })}
      </div>
      <div className="grid-rows" data-testid="row-labels">
        {grid.rows.map((row) => (
          <div
            key={row.layer}
            className="grid-row"
            data-testid="row-label"
            style={{ top: ty + (row.y + NODE_H / 2) * zoom }}
          >
            {rows.get(row.layer) ?? `row ${row.layer}`}
          </div>
        ))}
      </div>
    </>
  );
}

/** GPT-2 tokens carry their leading space: show it as a dot so " boy" and "boy" differ on screen. */
function visible(token: string): string {
  return token.replace(/^ /, '·').replace(/\n/g, '⏎');
}
