import type { Prisma } from '../generated/prisma/client.js';

export interface ActivityInput {
  teamId: string | null;
  actorId: string;
  /** e.g. "label.proposed", "circuit.version_saved" */
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Prisma.InputJsonValue;
}

/** Appends to the activity log inside the caller's transaction, so the log and the change land together. */
export async function logActivity(tx: Prisma.TransactionClient, event: ActivityInput): Promise<void> {
  await tx.activityEvent.create({ data: { ...event, data: event.data ?? {} } });
}

/** What a team page listens to: every committed activity entry of the team. */
export const teamTopic = (teamId: string) => `team:${teamId}`;

/** The NOTIFY channel of the trigger on activity_events (migration 20261127060000_activity_notify). */
export const ACTIVITY_CHANNEL = 'workbench_activity';

export interface ActivityNotice {
  teamId: string;
  action: string;
  subjectType: string;
  subjectId: string;
}
