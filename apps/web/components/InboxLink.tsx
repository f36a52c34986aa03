'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import './collaboration.css';
import { MY_INBOX, UNREAD_NOTIFICATION_COUNT } from '../lib/operations';

/** The header's Inbox link with the unread count, kept live by the myInbox subscription (new ones, and reads). */
export function InboxLink() {
  const count = useQuery(UNREAD_NOTIFICATION_COUNT, {
    fetchPolicy: 'cache-and-network',
    // What arrives while the subscription is still being set up is counted at the next poll.
    pollInterval: 60_000,
  });
  useSubscription(MY_INBOX, { onData: () => void count.refetch() });
  const unread = count.data?.unreadNotificationCount ?? 0;
  return (
    <Link
      href="/inbox"
      className="inbox-link"
      data-testid="inbox-link"
      aria-label={unread ? `Inbox, ${unread} unread` : 'Inbox'}
    >
      Inbox
      {unread > 0 && (
        <span className="inbox-badge" data-testid="inbox-badge">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  );
}
