import type { EventBus } from '../events/bus.js';
import type { Notification, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { AppError, isUuid } from './errors.js';
import { mayReadThread, type ThreadRule } from './policy.js';
import type { Viewer } from './viewer.js';

/** Someone's inbox topic: only that user's myInbox subscription listens to it. */
export const inboxTopic = (userId: string) => `user:${userId}:inbox`;

export type NotificationKind = 'mention' | 'reply' | 'review_requested' | 'review_decided';

/** What a notification says, written when it is made (the inbox shows it as it was then). */
export interface NotificationData {
  /** The actor's display name. */
  by: string;
  actorId: string;
  /** What it is about, in words: `node L1/res/3 of “Agreement”`. */
  subject: string;
  /** Where to open it: the exact node, edge, label, feature thread or circuit version. */
  path: string;
  /** The comment, or the review's comment, shortened. */
  excerpt?: string | null;
  [key: string]: Prisma.InputJsonValue | null | undefined;
}

export interface Recipient {
  userId: string;
  kind: NotificationKind;
}

const EXCERPT_CHARS = 200;

export function excerptOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/** A feature page, as the web app routes it: /models/{model}/{sae segments...}/{index}. */
export function featurePagePath(key: { modelId: string; saeId: string; featureIndex: number }): string {
  const sae = key.saeId.split('/').map(encodeURIComponent).join('/');
  return `/models/${encodeURIComponent(key.modelId)}/${sae}/${key.featureIndex}`;
}

/**
 * The people among `userIds` who may read a thread whose rules are `rule` in `teamId`'s team (policy.ts's
 * mayReadThread), in their order; one query.
 */
export async function readersAmong(
  prisma: PrismaClient | Prisma.TransactionClient,
  rule: ThreadRule,
  teamId: string | null,
  userIds: string[],
): Promise<string[]> {
  if (!userIds.length) return [];
  const memberships = teamId ? await prisma.membership.findMany({ where: { teamId, userId: { in: userIds } } }) : [];
  const roles = new Map(memberships.map((m) => [m.userId, m.role]));
  return userIds.filter((id) => mayReadThread(rule, roles.get(id) ?? null, id));
}

/** The signed-in user's inbox: mentions, replies, review requests and decisions. Nobody reads another's. */
export class NotificationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
  ) {}

  list(viewer: Viewer, unreadOnly: boolean, first = 100): Promise<Notification[]> {
    const user = this.requireUser(viewer);
    return this.prisma.notification.findMany({
      where: { userId: user.id, ...(unreadOnly ? { readAt: null } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: Math.min(Math.max(first, 1), 200),
    });
  }

  unreadCount(viewer: Viewer): Promise<number> {
    const user = this.requireUser(viewer);
    return this.prisma.notification.count({ where: { userId: user.id, readAt: null } });
  }

  /** Marks one of my notifications read; someone else's is NOT_FOUND, as if it did not exist. */
  async markRead(viewer: Viewer, id: string): Promise<Notification> {
    const user = this.requireUser(viewer);
    const mine = isUuid(id) ? await this.prisma.notification.findFirst({ where: { id, userId: user.id } }) : null;
    if (!mine) throw new AppError('NOT_FOUND', `No notification ${id}`);
    if (mine.readAt) return mine;
    const read = await this.prisma.notification.update({ where: { id }, data: { readAt: new Date() } });
    this.events.publish(inboxTopic(user.id), { kind: 'read', id });
    return read;
  }

  /** Marks all my unread notifications read; returns how many were unread. */
  async markAllRead(viewer: Viewer): Promise<number> {
    const user = this.requireUser(viewer);
    const { count } = await this.prisma.notification.updateMany({
      where: { userId: user.id, readAt: null },
      data: { readAt: new Date() },
    });
    if (count) this.events.publish(inboxTopic(user.id), { kind: 'read', id: null });
    return count;
  }

  /** Stores notifications inside the caller's transaction, so they land with what they announce. */
  static async store(
    tx: Prisma.TransactionClient,
    recipients: Recipient[],
    data: NotificationData,
    commentId: string | null = null,
  ): Promise<void> {
    if (!recipients.length) return;
    await tx.notification.createMany({
      data: recipients.map((r) => ({ userId: r.userId, kind: r.kind, commentId, data })),
    });
  }

  /** Tells each recipient's open pages (after the write committed). */
  announce(recipients: Recipient[], id: string): void {
    for (const r of recipients) this.events.publish(inboxTopic(r.userId), { kind: r.kind, id });
  }

  private requireUser(viewer: Viewer) {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    return viewer.user;
  }
}
