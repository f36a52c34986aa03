'use client';

import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { NODE_TYPES } from '../../lib/node-types';
import { type FeatureNodeData, formatNumber } from './derive';

type FeatureNode = Node<FeatureNodeData>;

function classes(data: FeatureNodeData, extra: string) {
  return [
    extra,
    data.look && `look-${data.look.submodule}`,
    data.look?.error && 'look-error',
    data.pinned && 'pinned',
    data.diff && `diff-${data.diff}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * A feature (or error / embedding / logit) node, coloured by submodule. Zoomed out, details hide and the name grows
 * (CSS: .lod-mid), and further out nodes are plain boxes (.lod-low).
 */
const FeatureNodeView = memo(function FeatureNodeView({ data }: NodeProps<FeatureNode>) {
  return (
    <div className={classes(data, 'fnode')} data-testid="circuit-node" title={`${data.title}\n${data.subtitle}`}>
      <Handle type="target" position={Position.Bottom} isConnectable={false} />
      <div className="fnode-title">
        {data.pinned && (
          <span className="pin-dot" title="pinned">
            ●{' '}
          </span>
        )}
        {data.title}
      </div>
      <div className="fnode-detail">
        {data.nodeType && (
          <span
            className={`type-badge type-${data.nodeType}`}
            data-testid="node-type-badge"
            title={NODE_TYPES[data.nodeType].name}
          >
            {NODE_TYPES[data.nodeType].badge}
          </span>
        )}
        <span className="fnode-sub">{data.subtitle}</span>
        {data.activation !== undefined && (
          <span className="fnode-act" title="activation">
            act {formatNumber(data.activation)}
          </span>
        )}
        {data.note && <span title="has a note"> ✎</span>}
      </div>
      <div className="fnode-bar" style={{ width: `${Math.round(data.strength * 100)}%` }} />
      <Handle type="source" position={Position.Top} isConnectable={false} />
    </div>
  );
});

/** A supernode: a named group of nodes drawn as one, its edges summed. */
const GroupNodeView = memo(function GroupNodeView({ data }: NodeProps<FeatureNode>) {
  return (
    <div className={classes(data, 'fnode gnode')} data-testid="circuit-supernode" title={data.subtitle}>
      <Handle type="target" position={Position.Bottom} isConnectable={false} />
      <div className="fnode-title">{data.title}</div>
      <div className="fnode-detail">
        <span className="fnode-sub">{data.members} nodes</span>
        {data.activation !== undefined && <span className="fnode-act">act {formatNumber(data.activation)}</span>}
      </div>
      <Handle type="source" position={Position.Top} isConnectable={false} />
    </div>
  );
});

export const nodeTypes = { feature: FeatureNodeView, supernode: GroupNodeView };
