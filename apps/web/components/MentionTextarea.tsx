'use client';

import { useQuery } from '@apollo/client/react';
import { type KeyboardEvent, type TextareaHTMLAttributes, useId, useRef, useState } from 'react';
import type { MentionCandidatesQuery } from '../lib/generated/graphql';
import { MENTION_CANDIDATES } from '../lib/operations';
import type { CommentTarget } from './CommentThread';
import './collaboration.css';

type Candidate = MentionCandidatesQuery['mentionCandidates'][number];

/** The `@word` being typed right before the caret, and where its `@` is; null when the caret is not in one. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|\s)@([^\s@]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1]!.length - 1, query: match[1]! };
}

/**
 * A comment box that completes `@` mentions: typing `@` and part of a teammate's display name or email lists the
 * people who may read this thread (the API's mentionCandidates); Enter or Tab (or a click) puts `@their@email ` in
 * the text, the form the server recognises. Uncontrolled, so the form's FormData and reset() work as before.
 */
export function MentionTextarea({
  target,
  ...props
}: { target: CommentTarget } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const candidates = useQuery(MENTION_CANDIDATES, {
    variables: { target, search: mention?.query ?? '' },
    skip: !mention,
  });
  const options = mention ? (candidates.data?.mentionCandidates ?? []).filter((c) => c.email) : [];
  const open = options.length > 0;

  const follow = () => {
    const box = ref.current;
    if (!box) return;
    const next = mentionAt(box.value, box.selectionStart ?? box.value.length);
    setMention(next);
    if (next?.query !== mention?.query) setActive(0);
  };

  const pick = (candidate: Candidate) => {
    const box = ref.current;
    if (!box || !mention) return;
    const caret = box.selectionStart ?? box.value.length;
    const inserted = `@${candidate.email} `;
    box.value = box.value.slice(0, mention.start) + inserted + box.value.slice(caret);
    const at = mention.start + inserted.length;
    box.setSelectionRange(at, at);
    box.focus();
    setMention(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      pick(options[Math.min(active, options.length - 1)]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setMention(null);
    }
  };

  return (
    <div className="mention-box">
      <textarea
        {...props}
        ref={ref}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${Math.min(active, options.length - 1)}` : undefined}
        onInput={follow}
        onClick={follow}
        onKeyDown={onKeyDown}
        onKeyUp={(event) => {
          if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') follow();
        }}
        onBlur={() => setTimeout(() => setMention(null), 150)}
      />
      {open && (
        <div className="mention-options" role="listbox" id={listId} aria-label="Mention a teammate">
          {options.map((c, i) => (
            <div
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === Math.min(active, options.length - 1)}
              onMouseDown={(event) => {
                event.preventDefault(); // keep the textarea's focus and caret
                pick(c);
              }}
            >
              <strong>{c.displayName}</strong> <span className="muted small">{c.email}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
