import GraphQLJSON from 'graphql-type-json';
import type {
  ActivityEvent,
  Circuit,
  CircuitVersion,
  Comment,
  Evidence,
  FeatureLabel,
  Job,
  LabelRevision,
  Notification,
  Review,
  Role,
  ShareLink,
  Team,
  User,
} from '../generated/prisma/client.js';
import { jobTopic } from '../jobs/runner.js';
import type { DashboardJobArgs } from '../jobs/service.js';
import type { CatalogModel, CatalogSae } from '../models/catalog.js';
import { encoderUrl } from '../models/encoders.js';
import { teamTopic } from '../services/activity.js';
import { Access } from '../services/circuit-access.js';
import { circuitTopic } from '../services/circuits.js';
import { AppError, parseInput } from '../services/errors.js';
import { featureKeySchema, featureTopic } from '../services/labels.js';
import { inboxTopic, type NotificationData } from '../services/notifications.js';
import { circuitPermissions, emailVisible, teamPermissions } from '../services/policy.js';
import { circuitStatus, reviewAgreement } from '../services/reviews.js';
import type { TeamWithRole } from '../services/teams.js';
import { createLoaders, roleOf } from '../services/viewer.js';
import { type Context, clearedSessionCookie, requireUser, sessionCookie } from './context.js';
import { type AccessCheck, whileAllowed } from './subscriptions.js';

type Args = Record<string, unknown>;
const notificationData = (n: Notification) => (n.data ?? {}) as Partial<NotificationData>;
type Page = { first?: number | null; after?: string | null };
const toTeam = ({ team, role }: TeamWithRole) => ({ ...team, myRole: role });
const iso = (d: Date | null) => d?.toISOString() ?? null;
const loadUser = (ctx: Context, id: string | null) => (id ? ctx.viewer.loaders.user.load(id) : null);

function grantOf(ctx: Context, circuit: Circuit) {
  let grant = ctx.grants.get(circuit.id);
  if (!grant) {
    grant = ctx.services.circuits.grant(ctx.viewer, circuit);
    ctx.grants.set(circuit.id, grant);
  }
  return grant;
}

/**
 * The scores of the version a circuit shows by default (the latest, or the one version a link grants): its parent
 * circuit was already authorized, and the grant keeps a one-version link from reading another version's numbers.
 */
async function shownMetrics(ctx: Context, circuit: Circuit) {
  const { onlyVersion } = await grantOf(ctx, circuit);
  return ctx.viewer.loaders.versionMetrics.load(`${circuit.id}:${onlyVersion ?? circuit.latestVersion}`);
}

/** The rest of a sign-in or sign-up request is the new user's (their own email in the answer, for one). */
function signedInAs(ctx: Context, user: User) {
  ctx.user = user;
  ctx.viewer.user = user;
}

/**
 * Checks again what a subscription depends on: the session it was opened with (signing out ends it) and, given
 * `resource`, the viewer's access to what it watches (a removed membership, a revoked or expired share link), with
 * fresh loaders so nothing cached from the start is trusted.
 */
function accessCheck(ctx: Context, resource?: () => Promise<boolean>): AccessCheck {
  const userId = ctx.user?.id;
  return async () => {
    if (userId) {
      const user = await ctx.services.auth.userForToken(ctx.sessionToken);
      if (user?.id !== userId) return new AppError('UNAUTHENTICATED', 'Signed out: this subscription has ended');
    }
    if (!resource) return null;
    ctx.viewer.loaders = createLoaders(ctx.services.prisma);
    ctx.grants.clear();
    try {
      if (await resource()) return null;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
    return new AppError('FORBIDDEN', 'Access ended: you can no longer see what this subscription follows');
  };
}

/** A subscription that ends when `check` fails, checked every SUBSCRIPTION_RECHECK_MS. */
const guarded = <T>(ctx: Context, check: AccessCheck, open: (signal: AbortSignal) => AsyncIterable<T>) =>
  whileAllowed(open, check, ctx.services.subscriptionRecheckMs);

/**
 * Runs a subscription's events through `visible`, so a subscriber never hears about what it may not see; ends when
 * `signal` is aborted.
 */
async function* filtered(
  ctx: Context,
  topics: string[],
  visible: (event: Record<string, unknown>) => Promise<boolean>,
  signal: AbortSignal,
) {
  const abort = new AbortController();
  const onAbort = () => {
    abort.abort();
    wake?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const iterators = topics.map((topic) => ctx.services.events.subscribe(topic, abort.signal));
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  const pumps = iterators.map(async (it) => {
    for await (const event of it) {
      queue.push(event as Record<string, unknown>);
      wake?.();
    }
  });
  try {
    while (!abort.signal.aborted) {
      while (!queue.length && !abort.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      const event = queue.shift();
      if (!event) break;
      if (await visible(event)) {
        const { kind, id, ...data } = event;
        yield { kind: String(kind), id: id === undefined ? null : String(id), data };
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    abort.abort();
    await Promise.allSettled(pumps);
  }
}

export const resolvers = {
  JSON: GraphQLJSON,
  Query: {
    featureDashboard: (_: unknown, args: { sae: string; featureIndex: number }, ctx: Context) =>
      ctx.services.prisma.featureDashboard.findUnique({
        where: { saeId_featureIndex: { saeId: args.sae, featureIndex: args.featureIndex } },
      }),
    job: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.services.jobs.get(ctx.viewer, id),
    models: (_: unknown, __: Args, ctx: Context) => ctx.services.models.models(),
    model: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.services.models.model(id),
    tokenize: async (_: unknown, args: { model: string; text: string }, ctx: Context) => {
      ctx.services.models.checkText(args.text);
      // Each field takes its own token, so aliases in one request cannot multiply the work past the limit.
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.models.tokenize(args.model, args.text);
    },
    activations: async (
      _: unknown,
      args: { model: string; hook: string; text: string; sae?: string | null; prependBos?: boolean | null },
      ctx: Context,
    ) => {
      ctx.services.models.checkText(args.text);
      await ctx.services.computeLimiter.take(ctx.clientKey);
      const result = await ctx.services.models.activations(args.model, args.hook, args.text, {
        saeId: args.sae,
        prependBos: args.prependBos,
      });
      const bytes = Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength);
      return { ...result, dtype: 'float32', data: bytes.toString('base64') };
    },
    steerFeature: async (_: unknown, args: Args, ctx: Context) => {
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.steering.steer(args);
    },
    // Public (policy.ts: mayReadLearnCircuit); computed once, but each call takes a token like any model run.
    learnCircuit: async (_: unknown, __: Args, ctx: Context) => {
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.learn.demoCircuit(ctx.viewer);
    },
    me: (_: unknown, __: Args, ctx: Context): User | null => ctx.user,
    myTeams: async (_: unknown, __: Args, ctx: Context) =>
      (await ctx.services.teams.teamsOf(requireUser(ctx).id)).map(toTeam),
    team: async (_: unknown, { id }: { id: string }, ctx: Context) => {
      const team = (await ctx.services.teams.teamsOf(requireUser(ctx).id)).find((t) => t.team.id === id);
      if (!team) throw new AppError('NOT_FOUND', `No team ${id}`);
      return toTeam(team);
    },
    featureLabels: (_: unknown, { feature, ...page }: { feature: unknown } & Page, ctx: Context) =>
      ctx.services.labels.forFeature(ctx.viewer, feature, page),
    shownLabels: (_: unknown, args: unknown, ctx: Context) => ctx.services.labels.shownLabels(ctx.viewer, args),
    label: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.services.labels.get(ctx.viewer, id),
    saeFeatures: (_: unknown, args: unknown, ctx: Context) => ctx.services.saeFeatures.list(ctx.viewer, args),
    saeCoverage: (_: unknown, args: unknown, ctx: Context) => ctx.services.saeFeatures.coverage(ctx.viewer, args),
    saeFeatureNeighbours: (_: unknown, args: unknown, ctx: Context) =>
      ctx.services.saeFeatures.neighbours(ctx.viewer, args),
    searchLabels: (_: unknown, args: unknown, ctx: Context) => ctx.services.labelSearch.search(ctx.viewer, args),
    exportLabels: (_: unknown, args: unknown, ctx: Context) =>
      ctx.services.labelTransfer.exportLabels(ctx.viewer, args),
    invitation: (_: unknown, { token }: { token: string }, ctx: Context) => ctx.services.invitations.preview(token),
    circuit: async (_: unknown, { slug }: { slug: string }, ctx: Context) =>
      (await ctx.services.circuits.require(ctx.viewer, { slug }, Access.VIEW)).circuit,
    comments: (_: unknown, { target, ...page }: { target: unknown } & Page, ctx: Context) =>
      ctx.services.comments.list(ctx.viewer, target, page),
    reviewQueue: (_: unknown, { pendingOnly, ...page }: { pendingOnly: boolean } & Page, ctx: Context) =>
      ctx.services.reviews.queue(ctx.viewer, page, pendingOnly),
    myReviewRequests: (_: unknown, { pendingOnly, ...page }: { pendingOnly: boolean } & Page, ctx: Context) =>
      ctx.services.reviews.requested(ctx.viewer, page, pendingOnly),
    notifications: (_: unknown, args: { unreadOnly: boolean; first: number }, ctx: Context) =>
      ctx.services.notifications.list(ctx.viewer, args.unreadOnly, args.first),
    unreadNotificationCount: (_: unknown, __: Args, ctx: Context) => ctx.services.notifications.unreadCount(ctx.viewer),
    mentionCandidates: (_: unknown, args: { target: unknown; search?: string | null }, ctx: Context) =>
      ctx.services.comments.mentionCandidates(ctx.viewer, args.target, args.search),
  },
  Mutation: {
    signUp: async (_: unknown, { input }: { input: unknown }, ctx: Context): Promise<User> => {
      const session = await ctx.services.auth.signUp(input, ctx.addressKey);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      signedInAs(ctx, session.user);
      return session.user;
    },
    signIn: async (_: unknown, { input }: { input: unknown }, ctx: Context): Promise<User> => {
      const session = await ctx.services.auth.signIn(input, ctx.addressKey);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      signedInAs(ctx, session.user);
      return session.user;
    },
    signOut: async (_: unknown, __: Args, ctx: Context): Promise<boolean> => {
      await ctx.services.auth.signOut(ctx.sessionToken);
      ctx.setCookies.push(clearedSessionCookie(ctx.secureCookies));
      return true;
    },
    createTeam: async (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      toTeam(await ctx.services.teams.createTeam(requireUser(ctx).id, input)),
    setLabelAcceptVotes: async (_: unknown, args: { teamId: string; votes: number }, ctx: Context) =>
      toTeam(await ctx.services.teams.setLabelAcceptVotes(ctx.viewer, args)),
    addTeamMember: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.teams.addMember(ctx.viewer, input),
    removeTeamMember: (_: unknown, args: { teamId: string; userId: string }, ctx: Context) =>
      ctx.services.teams.removeMember(ctx.viewer, args),
    createInvitation: async (
      _: unknown,
      args: { teamId: string; role?: string | null; days?: number | null },
      ctx: Context,
    ) => {
      const { invitation, token } = await ctx.services.invitations.create(ctx.viewer, {
        teamId: args.teamId,
        role: args.role ?? undefined,
        days: args.days ?? undefined,
      });
      return { invitation, token, path: `/invite/${token}` };
    },
    acceptInvitation: async (_: unknown, { token }: { token: string }, ctx: Context) => {
      const team = await ctx.services.invitations.accept(ctx.viewer, token);
      const mine = (await ctx.services.teams.teamsOf(ctx.user!.id)).find((t) => t.team.id === team.id)!;
      return toTeam(mine);
    },
    revokeInvitation: (_: unknown, { id }: { id: string }, ctx: Context) =>
      ctx.services.invitations.revoke(ctx.viewer, id),
    proposeLabel: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.labels.propose(ctx.viewer, input),
    editLabel: (_: unknown, { input }: { input: unknown }, ctx: Context) => ctx.services.labels.edit(ctx.viewer, input),
    voteLabel: (_: unknown, args: { labelId: string; value: number }, ctx: Context) =>
      ctx.services.labels.vote(ctx.viewer, args),
    importLabels: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.labelTransfer.importLabels(ctx.viewer, input),
    createCircuit: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.circuits.create(ctx.viewer, input),
    saveCircuitVersion: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.circuits.saveVersion(ctx.viewer, input),
    forkCircuit: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.circuits.fork(ctx.viewer, input),
    setCircuitVisibility: (_: unknown, args: { circuitId: string; visibility: Circuit['visibility'] }, ctx: Context) =>
      ctx.services.circuits.setVisibility(ctx.viewer, args.circuitId, args.visibility),
    voteCircuit: (_: unknown, args: { circuitId: string; value: number }, ctx: Context) =>
      ctx.services.circuits.vote(ctx.viewer, args),
    createShareLink: async (_: unknown, { input }: { input: unknown }, ctx: Context) => {
      const { link, token } = await ctx.services.shares.create(ctx.viewer, input);
      const circuit = await ctx.services.prisma.circuit.findUniqueOrThrow({ where: { id: link.circuitId } });
      const path = `/c/${circuit.slug}${link.version ? `/v/${link.version}` : ''}?share=${token}`;
      return { link, token, path };
    },
    revokeShareLink: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.services.shares.revoke(ctx.viewer, id),
    addComment: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.comments.add(ctx.viewer, input),
    setCommentResolved: (_: unknown, args: { id: string; resolved: boolean }, ctx: Context) =>
      ctx.services.comments.setResolved(ctx.viewer, args.id, args.resolved),
    requestReview: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.reviews.request(ctx.viewer, input),
    decideReview: (_: unknown, { input }: { input: unknown }, ctx: Context) =>
      ctx.services.reviews.decide(ctx.viewer, input),
    markNotificationRead: (_: unknown, { id }: { id: string }, ctx: Context) =>
      ctx.services.notifications.markRead(ctx.viewer, id),
    markAllNotificationsRead: (_: unknown, __: Args, ctx: Context) =>
      ctx.services.notifications.markAllRead(ctx.viewer),
    startCircuitJob: (_: unknown, { input }: { input: Record<string, unknown> }, ctx: Context) => {
      // GraphQL null means "not given" here: drop it so the defaults apply.
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
      const { model, saes, ...rest } = given;
      return ctx.services.jobs.startCircuit(ctx.viewer, { ...rest, modelId: model, saeIds: saes });
    },
    evaluateSelection: (_: unknown, args: { circuitId: string; version: number; nodeIds: string[] }, ctx: Context) =>
      ctx.services.jobs.startEvaluation(ctx.viewer, args),
    ablateSelection: (_: unknown, args: Args, ctx: Context) => ctx.services.jobs.startAblation(ctx.viewer, args),
    saveSteeringEvidence: async (_: unknown, args: Args, ctx: Context) => {
      // It runs the model, as steerFeature does.
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.evidence.saveSteering(ctx.viewer, args);
    },
    saveAblationEvidence: (_: unknown, args: Args, ctx: Context) =>
      ctx.services.evidence.saveAblation(ctx.viewer, args),
    computeDashboards: (_: unknown, args: DashboardJobArgs, ctx: Context) =>
      ctx.services.jobs.startDashboards(ctx.viewer, args),
    startSelftestJob: (_: unknown, args: { steps?: number; stepMs?: number; failAt?: number }, ctx: Context) =>
      ctx.services.jobs.startSelftest(ctx.viewer, args),
    cancelJob: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.services.jobs.cancel(ctx.viewer, id),
  },
  // Each subscription ends, with an error, within SUBSCRIPTION_RECHECK_MS of losing what it depended on (see
  // accessCheck): the session it was opened with, and its team, circuit (membership or share link) or job.
  Subscription: {
    myTeamAdded: {
      subscribe: (_: unknown, __: Args, ctx: Context) => {
        const user = requireUser(ctx);
        return guarded(ctx, accessCheck(ctx), async function* (signal) {
          for await (const event of ctx.services.events.subscribe(`user:${user.id}:teams`, signal)) {
            const { teamId } = event as { teamId: string };
            const team = (await ctx.services.teams.teamsOf(user.id)).find((t) => t.team.id === teamId);
            if (team) yield { myTeamAdded: toTeam(team) };
          }
        });
      },
    },
    featureChanged: {
      subscribe: (_: unknown, { feature }: { feature: unknown }, ctx: Context) => {
        const key = parseInput(featureKeySchema, feature);
        return guarded(ctx, accessCheck(ctx), (signal) =>
          filtered(
            ctx,
            [featureTopic(key)],
            async (event) => (event.teamId ? (await roleOf(ctx.viewer, String(event.teamId))) !== null : true),
            signal,
          ),
        );
      },
      resolve: (event: unknown) => event,
    },
    circuitChanged: {
      subscribe: async (_: unknown, { circuitId }: { circuitId: string }, ctx: Context) => {
        const canView = async () => {
          await ctx.services.circuits.require(ctx.viewer, { id: circuitId }, Access.VIEW);
          return true;
        };
        await canView();
        return guarded(ctx, accessCheck(ctx, canView), (signal) =>
          filtered(
            ctx,
            [circuitTopic(circuitId)],
            async () => {
              ctx.viewer.loaders.role.clearAll();
              return canView().catch(() => false);
            },
            signal,
          ),
        );
      },
      resolve: (event: unknown) => event,
    },
    jobProgress: {
      subscribe: async (_: unknown, { id }: { id: string }, ctx: Context) => {
        const job = await ctx.services.jobs.get(ctx.viewer, id);
        const canSee = async () => Boolean(await ctx.services.jobs.get(ctx.viewer, id));
        return guarded(ctx, accessCheck(ctx, canSee), async function* (signal) {
          yield { jobProgress: job };
          if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) return;
          for await (const raw of ctx.services.events.subscribe(jobTopic(id), signal)) {
            const event = raw as { kind: string; stage?: string; percent?: number; etaSeconds?: number | null };
            if (event.kind === 'progress') {
              yield {
                jobProgress: {
                  ...job,
                  status: 'RUNNING',
                  stage: event.stage,
                  percent: event.percent,
                  etaSeconds: event.etaSeconds,
                },
              };
              continue;
            }
            const latest = await ctx.services.jobs.get(ctx.viewer, id);
            yield { jobProgress: latest };
            if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(latest.status)) return;
          }
        });
      },
    },
    teamChanged: {
      subscribe: async (_: unknown, { teamId }: { teamId: string }, ctx: Context) => {
        requireUser(ctx);
        const isMember = async () => (await roleOf(ctx.viewer, teamId)) !== null;
        if (!(await isMember())) throw new AppError('NOT_FOUND', `No team ${teamId}`);
        // Membership is checked again every SUBSCRIPTION_RECHECK_MS, not per event (a busy team has many events and
        // many open pages): someone removed from the team stops hearing within it.
        return guarded(ctx, accessCheck(ctx, isMember), (signal) =>
          filtered(ctx, [teamTopic(teamId)], async () => true, signal),
        );
      },
      resolve: (event: unknown) => event,
    },
    myInbox: {
      subscribe: (_: unknown, __: Args, ctx: Context) => {
        const user = requireUser(ctx);
        return guarded(ctx, accessCheck(ctx), (signal) =>
          filtered(ctx, [inboxTopic(user.id)], async () => true, signal),
        );
      },
      resolve: (event: unknown) => event,
    },
  },
  User: {
    email: async (u: User, _: Args, ctx: Context) =>
      (await emailVisible(ctx.services.prisma, ctx.viewer, u.id)) ? u.email : null,
  },
  FeatureDashboard: {
    createdAt: (d: { createdAt: Date }) => d.createdAt.toISOString(),
  },
  Job: {
    createdAt: (j: Job) => j.createdAt.toISOString(),
    startedAt: (j: Job) => iso(j.startedAt),
    finishedAt: (j: Job) => iso(j.finishedAt),
  },
  Model: {
    nLayers: (m: CatalogModel) => m.config.nLayer,
    dModel: (m: CatalogModel) => m.config.nEmbd,
    nHeads: (m: CatalogModel) => m.config.nHead,
    vocabSize: (m: CatalogModel) => m.config.vocabSize,
    contextLength: (m: CatalogModel) => m.config.nPositions,
    saes: (m: CatalogModel, _: Args, ctx: Context) => ctx.services.models.saesOf(m.id),
    vocabulary: (m: CatalogModel, _: Args, ctx: Context) => ctx.services.models.vocabulary(m.id),
  },
  Sae: {
    prependBos: (s: CatalogSae) => s.conventions.prependBos,
    centerResidual: (s: CatalogSae) => s.conventions.centerResidual,
    normalize: (s: CatalogSae) => s.conventions.normalize,
    encoderUrl: (s: CatalogSae, { dtype }: { dtype: string }) => {
      if (dtype !== 'fp32' && dtype !== 'fp16') throw new AppError('BAD_USER_INPUT', 'dtype: fp32 or fp16');
      return encoderUrl(s, dtype);
    },
  },
  Team: {
    can: (team: { myRole: Role }) => teamPermissions(team.myRole),
    createdAt: (team: Team) => team.createdAt.toISOString(),
    members: (team: Team, _: Args, ctx: Context) => ctx.services.teams.members(ctx.viewer, team.id),
    invitations: (team: Team, _: Args, ctx: Context) => ctx.services.invitations.list(ctx.viewer, team.id),
    circuits: (team: Team, page: Page, ctx: Context) => ctx.services.circuits.forTeam(ctx.viewer, team.id, page),
    labels: (team: Team, page: Page, ctx: Context) => ctx.services.labels.forTeam(ctx.viewer, team.id, page),
    activity: (team: Team, { first }: { first?: number }, ctx: Context) =>
      ctx.services.teams.activity(ctx.viewer, team.id, Math.min(first ?? 50, 200)),
  },
  TeamInvitation: {
    expiresAt: (i: { expiresAt: Date }) => i.expiresAt.toISOString(),
    revokedAt: (i: { revokedAt: Date | null }) => iso(i.revokedAt),
    createdAt: (i: { createdAt: Date }) => i.createdAt.toISOString(),
  },
  InvitationPreview: {
    expiresAt: (i: { expiresAt: Date }) => i.expiresAt.toISOString(),
  },
  ActivityEvent: {
    actor: (e: ActivityEvent, _: Args, ctx: Context) => loadUser(ctx, e.actorId),
    createdAt: (e: ActivityEvent) => e.createdAt.toISOString(),
  },
  FeatureLabel: {
    author: (l: FeatureLabel, _: Args, ctx: Context) => loadUser(ctx, l.authorId),
    revisions: (l: FeatureLabel, _: Args, ctx: Context) => ctx.services.labels.revisions(ctx.viewer, l.id),
    source: (l: FeatureLabel) => (l.source === null || l.source === undefined ? null : JSON.stringify(l.source)),
    evidence: (l: FeatureLabel, _: Args, ctx: Context) => ctx.services.evidence.forLabel(ctx.viewer, l.id),
    agreement: (l: FeatureLabel, _: Args, ctx: Context) => ctx.services.labels.agreement(ctx.viewer, l.id),
    myVote: (l: FeatureLabel, _: Args, ctx: Context) => ctx.services.labels.myVote(ctx.viewer, l.id),
    revisedAt: (l: FeatureLabel, _: Args, ctx: Context) => ctx.services.labels.revisedAt(ctx.viewer, l),
    createdAt: (l: FeatureLabel) => l.createdAt.toISOString(),
    updatedAt: (l: FeatureLabel) => l.updatedAt.toISOString(),
  },
  LabelRevision: {
    author: (r: LabelRevision, _: Args, ctx: Context) => loadUser(ctx, r.authorId),
    createdAt: (r: LabelRevision) => r.createdAt.toISOString(),
  },
  Circuit: {
    createdBy: (c: Circuit, _: Args, ctx: Context) => loadUser(ctx, c.createdById),
    myAccess: async (c: Circuit, _: Args, ctx: Context) => Access[(await grantOf(ctx, c)).access],
    can: async (c: Circuit, _: Args, ctx: Context) => circuitPermissions((await grantOf(ctx, c)).access),
    onlyVersion: async (c: Circuit, _: Args, ctx: Context) => (await grantOf(ctx, c)).onlyVersion,
    status: async (c: Circuit, _: Args, ctx: Context) =>
      circuitStatus(await ctx.services.reviews.forLatest(ctx.viewer, c)),
    // A link to one version shows nothing of the others' reviews.
    approvedVersion: async (c: Circuit, _: Args, ctx: Context) =>
      (await grantOf(ctx, c)).onlyVersion === null ? ctx.services.reviews.approvedVersion(ctx.viewer, c) : null,
    reviews: (c: Circuit, _: Args, ctx: Context) => ctx.services.reviews.forLatest(ctx.viewer, c),
    reviewAgreement: async (c: Circuit, _: Args, ctx: Context) =>
      reviewAgreement(await ctx.services.reviews.forLatest(ctx.viewer, c)),
    score: async (c: Circuit, _: Args, ctx: Context) => {
      const { up, down } = await ctx.services.circuits.voteAgreement(ctx.viewer, c.id);
      return up - down;
    },
    voteAgreement: (c: Circuit, _: Args, ctx: Context) => ctx.services.circuits.voteAgreement(ctx.viewer, c.id),
    myVote: (c: Circuit, _: Args, ctx: Context) => ctx.services.circuits.myVote(ctx.viewer, c.id),
    faithfulness: async (c: Circuit, _: Args, ctx: Context) => (await shownMetrics(ctx, c)).faithfulness,
    completeness: async (c: Circuit, _: Args, ctx: Context) => (await shownMetrics(ctx, c)).completeness,
    version: async (c: Circuit, { number }: { number?: number }, ctx: Context) => {
      const grant = await grantOf(ctx, c);
      return ctx.services.circuits.version(ctx.viewer, c.id, number ?? grant.onlyVersion ?? c.latestVersion);
    },
    versions: (c: Circuit, _: Args, ctx: Context) => ctx.services.circuits.versions(ctx.viewer, c.id),
    evidence: (c: Circuit, { version }: { version?: number | null }, ctx: Context) =>
      ctx.services.evidence.forCircuit(ctx.viewer, c.id, version ?? null),
    diff: (c: Circuit, args: { from: number; to: number }, ctx: Context) =>
      ctx.services.circuits.diff(ctx.viewer, c.id, args.from, args.to),
    shareLinks: (c: Circuit, _: Args, ctx: Context) => ctx.services.shares.forCircuit(ctx.viewer, c.id),
    createdAt: (c: Circuit) => c.createdAt.toISOString(),
    updatedAt: (c: Circuit) => c.updatedAt.toISOString(),
  },
  CircuitVersion: {
    author: (v: CircuitVersion, _: Args, ctx: Context) => loadUser(ctx, v.authorId),
    createdAt: (v: CircuitVersion) => v.createdAt.toISOString(),
  },
  Evidence: {
    author: (e: Evidence, _: Args, ctx: Context) => loadUser(ctx, e.authorId),
    createdAt: (e: Evidence) => e.createdAt.toISOString(),
  },
  ShareLink: {
    expiresAt: (l: ShareLink) => iso(l.expiresAt),
    revokedAt: (l: ShareLink) => iso(l.revokedAt),
    createdAt: (l: ShareLink) => l.createdAt.toISOString(),
  },
  Review: {
    circuit: async (r: Review, _: Args, ctx: Context) => {
      try {
        return (await ctx.services.circuits.require(ctx.viewer, { id: r.circuitId }, Access.VIEW)).circuit;
      } catch {
        return null;
      }
    },
    reviewer: (r: Review, _: Args, ctx: Context) => loadUser(ctx, r.reviewerId),
    requestedBy: (r: Review, _: Args, ctx: Context) => loadUser(ctx, r.requestedById),
    decidedAt: (r: Review) => iso(r.decidedAt),
    createdAt: (r: Review) => r.createdAt.toISOString(),
  },
  Comment: {
    author: (c: Comment, _: Args, ctx: Context) => loadUser(ctx, c.authorId),
    resolved: (c: Comment) => c.resolvedAt !== null,
    resolvedBy: (c: Comment, _: Args, ctx: Context) => loadUser(ctx, c.resolvedById),
    createdAt: (c: Comment) => c.createdAt.toISOString(),
  },
  Notification: {
    actor: (n: Notification, _: Args, ctx: Context) => loadUser(ctx, notificationData(n).actorId ?? null),
    // Notifications from before subjects and paths were recorded say less, and open the home page.
    subject: (n: Notification) => notificationData(n).subject ?? 'a comment',
    path: (n: Notification) => notificationData(n).path ?? '/',
    excerpt: (n: Notification) => notificationData(n).excerpt ?? null,
    read: (n: Notification) => n.readAt !== null,
    createdAt: (n: Notification) => n.createdAt.toISOString(),
  },
};
