'use client';

import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { NotificationsQuery } from '../lib/generated/graphql';
import {
  MARK_ALL_NOTIFICATIONS_READ,
  MARK_NOTIFICATION_READ,
  MY_INBOX,
  NOTIFICATIONS,
  UNREAD_NOTIFICATION_COUNT,
} from '../lib/operations';
import { formatDate } from './Badges';
import { SignInLink } from './SignInLink';
import { TopBar, useMe } from './TopBar';

/** Query.notifications' items as NOTIFICATIONS reads them. */
export type InboxNotification = NotificationsQuery['notifications'][number];

/** What happened, in words: "mentioned you on", "approved", … followed by the subject. */
function whatHappened(n: InboxNotification): string {
  switch (n.kind) {
    case 'mention':
      return 'mentioned you on';
    case 'reply':
      return 'replied to your comment on';
    case 'review_requested':
      return 'asked you to review';
    case 'review_decided':
      return (n.data as { decision?: string }).decision === 'CHANGES_REQUESTED' ? 'requested changes on' : 'approved';
    default:
      return 'wrote about';
  }
}

/** The inbox: my notifications, newest first, each linking to the exact thing; mark one or all read. */
export function InboxPage() {
  const { me, loading } = useMe();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = useQuery(NOTIFICATIONS, {
    variables: { unreadOnly },
    skip: !me,
    fetchPolicy: 'cache-and-network',
  });
  useSubscription(MY_INBOX, { skip: !me, onData: () => void list.refetch() });
  const refetchQueries = [{ query: UNREAD_NOTIFICATION_COUNT }];
  const [markRead] = useMutation(MARK_NOTIFICATION_READ, { refetchQueries });
  const [markAllRead, markingAll] = useMutation(MARK_ALL_NOTIFICATIONS_READ, { refetchQueries });
  const notifications = list.data?.notifications ?? [];
  const unread = notifications.filter((n) => !n.read).length;

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  // Following a link reads it; a full navigation, so the circuit editor opens with ?sel= selected.
  const open = (n: InboxNotification) =>
    run(async () => {
      if (!n.read) await markRead({ variables: { id: n.id } });
      window.location.assign(n.path);
    });

  return (
    <>
      <TopBar />
      <main className="stack">
        <div className="row spread wrap">
          <h1 className="page-title">Inbox</h1>
          {me && (
            <span className="row">
              <label className="check">
                <input type="checkbox" checked={unreadOnly} onChange={(event) => setUnreadOnly(event.target.checked)} />
                Unread only
              </label>
              <button
                type="button"
                className="secondary"
                disabled={!unread || markingAll.loading}
                onClick={() => run(() => markAllRead().then(() => list.refetch()))}
              >
                Mark all read
              </button>
            </span>
          )}
        </div>
        {!loading && !me && (
          <p>
            <SignInLink /> to see mentions, replies and reviews for you.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {list.error && <p className="error">{errorMessage(list.error)}</p>}
        {me && (
          <ul className="plain stack" data-testid="inbox-list">
            {notifications.map((n) => (
              <li
                key={n.id}
                className={n.read ? 'card inbox-item' : 'card inbox-item unread'}
                data-testid="inbox-item"
                data-kind={n.kind}
                data-read={n.read}
              >
                <div className="row spread">
                  <span>
                    <strong>{n.actor?.displayName ?? 'Someone'}</strong> {whatHappened(n)}{' '}
                    <a
                      href={n.path}
                      onClick={(event) => {
                        event.preventDefault();
                        void open(n);
                      }}
                    >
                      {n.subject}
                    </a>
                  </span>
                  <span className="row small muted">
                    {formatDate(n.createdAt)}
                    {!n.read && (
                      <button
                        type="button"
                        className="link"
                        onClick={() => run(() => markRead({ variables: { id: n.id } }).then(() => list.refetch()))}
                      >
                        Mark read
                      </button>
                    )}
                  </span>
                </div>
                {n.excerpt && <p className="comment-body small">{n.excerpt}</p>}
              </li>
            ))}
            {!notifications.length && !list.loading && (
              <li className="muted">
                {unreadOnly ? 'Nothing unread.' : 'Nothing yet: mentions, replies and reviews for you land here.'}
              </li>
            )}
          </ul>
        )}
      </main>
    </>
  );
}
