// Who may do what, in one place: the services check these rules and the list filters are built from the same
// tables, so what a list shows and what a lookup allows cannot drift apart. The authorization tests
// (http/authorization.test.ts, http/roles.test.ts) hold the rules to account with real users of every role.
import DataLoader from 'dataloader';
import type { Prisma, PrismaClient, Role, User, Visibility } from '../generated/prisma/client.js';
import { AppError } from './errors.js';
import { roleAtLeast, roleOf, type Viewer } from './viewer.js';

/** Actions on a team and the least role that may take each. */
export const TEAM_RULES = {
  /** The team page: name, members, activity, circuits and labels that members see. */
  'team.view': 'VIEWER',
  /** Invitation links for members and viewers; adding, changing and removing members and viewers. */
  'team.manageMembers': 'ADMIN',
  /** Making someone admin or owner; changing or removing admins and owners (an admin may still step down). */
  'team.manageAdmins': 'OWNER',
  /** Team settings (how many votes accept a label). */
  'team.settings': 'ADMIN',
  'circuit.create': 'MEMBER',
  /** Computing circuits for the team (a job that stores a circuit in it). */
  'job.compute': 'MEMBER',
  /** Cancelling a teammate's job (one's own job can always be cancelled). */
  'job.cancelAny': 'ADMIN',
  /** Being asked to review a circuit version. */
  'review.reviewer': 'MEMBER',
  'label.propose': 'MEMBER',
  /** Importing label files (Neuronpedia, feature-circuits, our export) as proposed labels. */
  'label.import': 'MEMBER',
  /** Downloading all the team's labels with their revisions and votes. */
  'label.export': 'VIEWER',
  /** Votes and comments on the team's labels, comments in the team's feature threads. */
  'label.participate': 'MEMBER',
  'comment.teamThread': 'MEMBER',
} as const satisfies Record<string, Role>;
export type TeamAction = keyof typeof TEAM_RULES;

export function mayInTeam(role: Role | null, action: TeamAction): boolean {
  return roleAtLeast(role, TEAM_RULES[action]);
}

const ROLE_NAME: Record<Role, string> = { OWNER: 'owners', ADMIN: 'admins', MEMBER: 'members', VIEWER: 'viewers' };

/**
 * The viewer's role in the team when it allows `action`. Not signed in: UNAUTHENTICATED; not in the team:
 * NOT_FOUND (a team's existence is not revealed to outsiders); in it with too low a role: FORBIDDEN naming the
 * role needed.
 */
export async function requireTeamRole(
  viewer: Viewer,
  teamId: string,
  action: TeamAction,
  what: string = action,
): Promise<Role> {
  if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  const role = await roleOf(viewer, teamId);
  if (!role) throw new AppError('NOT_FOUND', `No team ${teamId}`);
  if (!mayInTeam(role, action)) {
    const allowed = (['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const).filter((r) => mayInTeam(r, action));
    throw new AppError('FORBIDDEN', `Only ${allowed.map((r) => ROLE_NAME[r]).join(', ')} of the team may ${what}`, {
      needed: TEAM_RULES[action],
    });
  }
  return role;
}

/** The team actions a client shows controls for, as the API's Team.can reports them to the signed-in user. */
export function teamPermissions(role: Role | null) {
  return {
    manageMembers: mayInTeam(role, 'team.manageMembers'),
    manageAdmins: mayInTeam(role, 'team.manageAdmins'),
    changeSettings: mayInTeam(role, 'team.settings'),
    createCircuits: mayInTeam(role, 'circuit.create'),
    computeCircuits: mayInTeam(role, 'job.compute'),
    proposeLabels: mayInTeam(role, 'label.propose'),
    participate: mayInTeam(role, 'label.participate'),
  };
}

/** What someone may do with a circuit; each level includes the ones below it. */
export enum Access {
  NONE = 0,
  VIEW = 1,
  /** Comments, votes on the circuit, and evidence (saved interventions) on its versions. */
  COMMENT = 2,
  EDIT = 3,
  /** Visibility, share links, deletion (review requests need EDIT). */
  MANAGE = 4,
}

/** What a level of circuit access lets a client offer (Circuit.can). */
export function circuitPermissions(access: Access) {
  return { comment: access >= Access.COMMENT, edit: access >= Access.EDIT, manage: access >= Access.MANAGE };
}

type AccessName = keyof typeof Access;
type RoleOrNone = Role | 'NONE';

/**
 * Circuit access from the team role, by visibility (NONE: not in the team, or signed out). PRIVATE is the
 * creator's (and admins'); TEAM, UNLISTED and PUBLIC let members edit and viewers view; UNLISTED and PUBLIC let
 * anyone view. Share links add their permission on top (circuit-access.ts).
 */
export const CIRCUIT_RULES: Record<RoleOrNone, Record<Visibility, AccessName>> = {
  OWNER: { PRIVATE: 'MANAGE', TEAM: 'MANAGE', UNLISTED: 'MANAGE', PUBLIC: 'MANAGE' },
  ADMIN: { PRIVATE: 'MANAGE', TEAM: 'MANAGE', UNLISTED: 'MANAGE', PUBLIC: 'MANAGE' },
  MEMBER: { PRIVATE: 'NONE', TEAM: 'EDIT', UNLISTED: 'EDIT', PUBLIC: 'EDIT' },
  VIEWER: { PRIVATE: 'NONE', TEAM: 'VIEW', UNLISTED: 'VIEW', PUBLIC: 'VIEW' },
  NONE: { PRIVATE: 'NONE', TEAM: 'NONE', UNLISTED: 'VIEW', PUBLIC: 'VIEW' },
};

/**
 * What a circuit's creator may do with it at least, by their role now: someone demoted to viewer or removed from
 * the team keeps nothing of their own circuits beyond what their role gives.
 */
export const CREATOR_RULES: Record<RoleOrNone, AccessName> = {
  OWNER: 'MANAGE',
  ADMIN: 'MANAGE',
  MEMBER: 'MANAGE',
  VIEWER: 'VIEW',
  NONE: 'NONE',
};

/** Access from the team role alone (no share link). */
export function circuitAccess(role: Role | null, isCreator: boolean, visibility: Visibility): Access {
  const row = role ?? 'NONE';
  const byRole = Access[CIRCUIT_RULES[row][visibility]];
  const asCreator = isCreator ? Access[CREATOR_RULES[row]] : Access.NONE;
  return Math.max(byRole, asCreator);
}

const VISIBILITIES: Visibility[] = ['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC'];

/**
 * The circuits of one team a list shows the viewer, built from the same tables as circuitAccess: every circuit
 * the viewer may view, except UNLISTED ones for people outside the team (those are opened by their link only).
 */
export function circuitListFilter(role: Role | null, userId: string | null): Prisma.CircuitWhereInput {
  const row = role ?? 'NONE';
  const listed = VISIBILITIES.filter(
    (v) => Access[CIRCUIT_RULES[row][v]] >= Access.VIEW && !(role === null && v === 'UNLISTED'),
  );
  const any: Prisma.CircuitWhereInput[] = [{ visibility: { in: listed } }];
  if (userId && Access[CREATOR_RULES[row]] >= Access.VIEW) any.push({ createdById: userId });
  return { OR: any };
}

/** Feature labels: TEAM ones are the team's (viewers included); PUBLIC ones anyone's. */
export function labelVisible(role: Role | null, visibility: Visibility): boolean {
  return visibility === 'PUBLIC' || role !== null;
}

/**
 * Who hears an event on a feature's topic (featureChanged). The event names its audience: a team (a team label's
 * changes, comments and evidence; the team's feature thread) or null (a public label, the public thread). Whoever
 * may read the label or thread hears it, by labelVisible (whose team rule is a team thread's too, mayReadThread).
 */
export function mayHearFeatureEvent(role: Role | null, audienceTeamId: string | null): boolean {
  return labelVisible(role, audienceTeamId === null ? 'PUBLIC' : 'TEAM');
}

/**
 * Votes, comments and evidence (saved steering runs) on a label: the team's members; on a public label, anyone
 * signed in (the team's viewers too: being in the team never allows less than being outside it).
 */
export function mayParticipateInLabel(signedIn: boolean, role: Role | null, visibility: Visibility): boolean {
  if (!signedIn) return false;
  return mayInTeam(role, 'label.participate') || visibility === 'PUBLIC';
}

/**
 * What the viewer may do with a label they can see (FeatureLabel.can). The label, comment and evidence services check
 * these same answers before they write, so what a client offers and what the API allows cannot disagree. Revising a
 * label is for the team's members (anyone proposing labels there), not for outsiders on a public one.
 */
export function labelPermissions(signedIn: boolean, role: Role | null, visibility: Visibility) {
  const participate = mayParticipateInLabel(signedIn, role, visibility);
  return {
    vote: participate,
    comment: participate,
    addEvidence: participate,
    edit: signedIn && mayInTeam(role, 'label.propose'),
  };
}
export type LabelPermissions = ReturnType<typeof labelPermissions>;

/** The labels lists show: public ones and those of the viewer's teams (the same rule as labelVisible). */
export function labelListFilter(teamIds: string[]): Prisma.FeatureLabelWhereInput {
  return { OR: [{ visibility: 'PUBLIC' }, { teamId: { in: teamIds } }] };
}

/** Whose rule decides who may read a comment thread (and so who a mention or a reply may notify). */
export type ThreadRule =
  | { kind: 'circuit'; visibility: Visibility; createdById: string }
  | { kind: 'label'; visibility: Visibility }
  /** A team's thread on a feature: its members, viewers included. */
  | { kind: 'teamThread' }
  /** A feature's public thread: anyone. */
  | { kind: 'public' };

/**
 * Whether someone with `role` in the thread's team may read it, by the same rules as opening the thing itself
 * (share links aside: a link names no person). Notifications go only to such readers, so a mention never tells
 * anyone about a private circuit or a team's label they could not open.
 */
export function mayReadThread(rule: ThreadRule, role: Role | null, userId: string): boolean {
  switch (rule.kind) {
    case 'circuit':
      return circuitAccess(role, userId === rule.createdById, rule.visibility) >= Access.VIEW;
    case 'label':
      return labelVisible(role, rule.visibility);
    case 'teamThread':
      return mayInTeam(role, 'team.view');
    case 'public':
      return true;
  }
}

/**
 * Why a change to a membership is refused, or null when it is allowed. `newRole` null removes the member (leaving,
 * when the actor is the target). Rules: admins manage members and viewers; only owners make admins or owners or
 * change or remove them; anyone may leave or step down; a team always keeps an owner.
 */
export function membershipChangeRefusal(change: {
  actorRole: Role | null;
  self: boolean;
  targetRole: Role | null;
  newRole: Role | null;
  /** Owners the team has now, the target included. */
  owners: number;
}): AppError | null {
  const { actorRole, self, targetRole, newRole, owners } = change;
  if (!actorRole) return new AppError('NOT_FOUND', 'No such team');
  const stepsDown = self && newRole !== null && newRole !== targetRole && roleAtLeast(targetRole, newRole);
  if (!self || !(newRole === null || stepsDown)) {
    if (!mayInTeam(actorRole, 'team.manageMembers')) {
      return new AppError('FORBIDDEN', 'Only admins and owners of the team may change its members');
    }
    const touchesAdmins =
      (newRole !== null && roleAtLeast(newRole, 'ADMIN')) || (!self && roleAtLeast(targetRole, 'ADMIN'));
    if (touchesAdmins && !mayInTeam(actorRole, 'team.manageAdmins')) {
      return new AppError(
        'FORBIDDEN',
        newRole !== null && roleAtLeast(newRole, 'ADMIN') && !roleAtLeast(targetRole, 'ADMIN')
          ? `Only owners may make someone ${newRole.toLowerCase()}`
          : `Only owners may change or remove ${targetRole === 'OWNER' ? 'an owner' : 'an admin'}`,
      );
    }
  }
  if (targetRole === 'OWNER' && newRole !== 'OWNER' && owners <= 1) {
    return new AppError(
      'LAST_OWNER',
      newRole === null
        ? 'The team’s last owner cannot leave or be removed; make someone else owner first'
        : 'The team’s last owner cannot be demoted; make someone else owner first',
    );
  }
  return null;
}

/**
 * The walkthrough's demo circuit (/learn): anyone, signed out too. It is one fixed prompt pair on the bundled demo
 * model, computed once and stored nowhere, so it reveals nothing of any team; the resolver rate-limits it per
 * client like the other model runs. Saving it to a team is createCircuit, under that team's rules.
 */
export function mayReadLearnCircuit(_viewer: Viewer): boolean {
  return true;
}

/** A job: its creator, or an admin of its team, may cancel it. */
export function mayCancelJob(userId: string | null, role: Role | null, job: { createdById: string | null }): boolean {
  if (!userId) return false;
  return job.createdById === userId || mayInTeam(role, 'job.cancelAny');
}

/**
 * Operators run the deployment: the self-test job and replacing an SAE's stored dashboards (which every team sees)
 * are theirs. They are named by email in OPERATOR_EMAILS.
 */
export function isOperator(user: Pick<User, 'email'> | null, operatorEmails: ReadonlySet<string>): boolean {
  return user !== null && operatorEmails.has(user.email.toLowerCase());
}

export function parseOperatorEmails(raw: string | undefined): ReadonlySet<string> {
  return new Set(
    (raw ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  );
}

const teammateLoaders = new WeakMap<Viewer, DataLoader<string, boolean>>();

/**
 * Emails are shown to the person themselves and to people who share a team with them, nobody else (not to
 * readers of a public circuit or label, nor to a share-link holder). Batched per request: one query for a list.
 */
export async function emailVisible(prisma: PrismaClient, viewer: Viewer, userId: string): Promise<boolean> {
  const me = viewer.user?.id;
  if (!me) return false;
  if (me === userId) return true;
  let loader = teammateLoaders.get(viewer);
  if (!loader) {
    loader = new DataLoader<string, boolean>(async (ids) => {
      const rows = await prisma.membership.findMany({
        where: { userId: { in: [...ids] }, team: { memberships: { some: { userId: me } } } },
        select: { userId: true },
      });
      const teammates = new Set(rows.map((r) => r.userId));
      return ids.map((id) => teammates.has(id));
    });
    teammateLoaders.set(viewer, loader);
  }
  return loader.load(userId);
}
