'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { CommentsQuery } from '../lib/generated/graphql';
import { ADD_COMMENT, COMMENTS, SET_COMMENT_RESOLVED } from '../lib/operations';
import { formatDate } from './Badges';
import { MentionTextarea } from './MentionTextarea';

export interface CommentTarget {
  type: 'FEATURE' | 'LABEL' | 'CIRCUIT' | 'NODE' | 'EDGE';
  modelId?: string;
  saeId?: string;
  featureIndex?: number;
  teamId?: string;
  labelId?: string;
  circuitId?: string;
  nodeId?: string;
  edgeId?: string;
}

type Comment = CommentsQuery['comments']['edges'][number]['node'];

/** `@someone@lab.org`, as the server reads mentions (services/comments.ts). */
const MENTION = /(^|\s)(@[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

/**
 * Threaded comments on one target: top-level comments with replies, resolve and reopen, @mentions of teammates
 * (completed from their display name or email; a mention notifies them, if they may read the thread). A new
 * `refreshKey` (someone else commented) fetches the thread again without touching what is being typed.
 */
export function CommentThread({
  target,
  canComment,
  title = 'Comments',
  refreshKey = 0,
}: {
  target: CommentTarget;
  canComment: boolean;
  title?: string;
  refreshKey?: number;
}) {
  const comments = useQuery(COMMENTS, {
    variables: { target },
    fetchPolicy: 'cache-and-network',
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new refreshKey asks for a refetch
  useEffect(() => {
    if (refreshKey) void comments.refetch();
  }, [refreshKey]);
  const [addComment, adding] = useMutation(ADD_COMMENT);
  const [setResolved] = useMutation(SET_COMMENT_RESOLVED);
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const all = comments.data?.comments.edges.map((e) => e.node) ?? [];
  const roots = all.filter((c) => !c.parentId);
  const replies = (id: string) => all.filter((c) => c.parentId === id);

  async function submit(event: FormEvent<HTMLFormElement>, parentId?: string) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = String(new FormData(form).get('body') ?? '').trim();
    if (!body) return;
    setError(null);
    try {
      await addComment({ variables: { input: { target, body, ...(parentId ? { parentId } : {}) } } });
      form.reset();
      setReplyTo(null);
      await comments.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  async function toggle(comment: Comment) {
    setError(null);
    try {
      await setResolved({ variables: { id: comment.id, resolved: !comment.resolved } });
      await comments.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <section className="stack comments" aria-label={title} data-testid="comment-thread">
      <h3 className="section-title">{title}</h3>
      {comments.error && <p className="error">{errorMessage(comments.error)}</p>}
      {!roots.length && !comments.loading && <p className="muted small">No comments yet.</p>}
      <ul className="thread">
        {roots.map((root) => (
          <li key={root.id} className={root.resolved ? 'comment resolved' : 'comment'}>
            <CommentBody comment={root} />
            <div className="row small">
              {canComment && (
                <button type="button" className="link" onClick={() => setReplyTo(replyTo === root.id ? null : root.id)}>
                  Reply
                </button>
              )}
              {canComment && (
                <button type="button" className="link" onClick={() => toggle(root)}>
                  {root.resolved ? 'Reopen' : 'Resolve'}
                </button>
              )}
              {root.resolved && <span className="muted">Resolved by {root.resolvedBy?.displayName ?? 'someone'}</span>}
            </div>
            <ul className="thread replies">
              {replies(root.id).map((reply) => (
                <li key={reply.id} className="comment">
                  <CommentBody comment={reply} />
                </li>
              ))}
            </ul>
            {replyTo === root.id && (
              <form className="stack" onSubmit={(event) => submit(event, root.id)}>
                <MentionTextarea
                  target={target}
                  name="body"
                  aria-label="Reply"
                  placeholder="Reply… (@ to mention a teammate)"
                  rows={2}
                  required
                />
                <div className="row">
                  <button type="submit" className="small" disabled={adding.loading}>
                    Reply
                  </button>
                  <button type="button" className="secondary small" onClick={() => setReplyTo(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </li>
        ))}
      </ul>
      {canComment ? (
        <form className="stack" onSubmit={(event) => submit(event)}>
          <MentionTextarea
            target={target}
            name="body"
            aria-label={`New comment (${title})`}
            placeholder="Comment… (@ to mention a teammate)"
            rows={2}
            required
          />
          <button type="submit" className="small" disabled={adding.loading}>
            Comment
          </button>
        </form>
      ) : (
        <p className="muted small">You can read but not add comments here.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function CommentBody({ comment }: { comment: Comment }) {
  return (
    <div>
      <div className="small muted">
        <strong className="ink">{comment.author?.displayName ?? 'Someone'}</strong> · {formatDate(comment.createdAt)}
      </div>
      <p className="comment-body">{withMentions(comment.body)}</p>
    </div>
  );
}

/** The body with each @mention marked. */
function withMentions(body: string) {
  const parts: (string | { mention: string; at: number })[] = [];
  let last = 0;
  for (const match of body.matchAll(MENTION)) {
    const at = match.index + match[1]!.length;
    parts.push(body.slice(last, at), { mention: match[2]!, at });
    last = at + match[2]!.length;
  }
  parts.push(body.slice(last));
  return parts.map((part) =>
    typeof part === 'string' ? (
      part
    ) : (
      <span key={part.at} className="mention">
        {part.mention}
      </span>
    ),
  );
}
