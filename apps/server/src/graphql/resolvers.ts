import type { Circuit, Notification, User } from '../generated/prisma/client.js';
import { jobTopic } from '../jobs/runner.js';
import { encoderUrl } from '../models/encoders.js';
import { teamTopic } from '../services/activity.js';
import { Access } from '../services/circuit-access.js';
import { circuitTopic } from '../services/circuits.js';
import { detectionScoreOf } from '../services/drafts.js';
import { AppError, parseInput } from '../services/errors.js';
import { featureKeySchema, featureTopic } from '../services/labels.js';
import { inboxTopic, type NotificationData } from '../services/notifications.js';
import { circuitPermissions, emailVisible, mayHearFeatureEvent, teamPermissions } from '../services/policy.js';
import { circuitStatus, reviewAgreement } from '../services/reviews.js';
import type { TeamWithRole } from '../services/teams.js';
import { createLoaders, roleOf } from '../services/viewer.js';
import { type Context, clearedSessionCookie, requireUser, sessionCookie } from './context.js';
import type { ChangeEvent, CircuitAccess, Resolvers } from './generated/resolvers-types.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';
import { type AccessCheck, whileAllowed } from './subscriptions.js';

const notificationData = (n: Notification) => (n.data ?? {}) as Partial<NotificationData>;
const toTeam = ({ team, role }: TeamWithRole) => ({ ...team, myRole: role });
const loadUser = (ctx: Context, id: string | null) => (id ? ctx.viewer.loaders.user.load(id) : null);

const ACCESS_NAMES = {
  [Access.VIEW]: 'VIEW',
  [Access.COMMENT]: 'COMMENT',
  [Access.EDIT]: 'EDIT',
  [Access.MANAGE]: 'MANAGE',
} as const satisfies Record<Exclude<Access, Access.NONE>, CircuitAccess>;

/** Circuit.myAccess: a circuit resolved at all was granted at least VIEW (require() refuses NONE). */
function accessName(access: Access): CircuitAccess {
  if (access === Access.NONE) throw new AppError('NOT_FOUND', 'No such circuit');
  return ACCESS_NAMES[access];
}

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
      // The holder of a link that has just expired hears so (and when), as a query would tell them.
      if (error.extensions.code === 'SHARE_LINK_EXPIRED') return error;
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

export const resolvers: Resolvers = {
  JSON: JSONScalar,
  DateTime: DateTimeScalar,
  Query: {
    featureDashboard: (_, args, ctx) =>
      ctx.services.prisma.featureDashboard.findUnique({
        where: { saeId_featureIndex: { saeId: args.sae, featureIndex: args.featureIndex } },
      }),
    job: (_, { id }, ctx) => ctx.services.jobs.get(ctx.viewer, id),
    labelDrafting: (_, __, ctx) => ctx.services.labelDrafts.settings(),
    models: (_, __, ctx) => ctx.services.models.models(),
    model: (_, { id }, ctx) => ctx.services.models.model(id),
    tokenize: async (_, args, ctx) => {
      ctx.services.models.checkText(args.text);
      // Each field takes its own token, so aliases in one request cannot multiply the work past the limit.
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.models.tokenize(args.model, args.text);
    },
    activations: async (_, args, ctx) => {
      ctx.services.models.checkText(args.text);
      await ctx.services.computeLimiter.take(ctx.clientKey);
      const result = await ctx.services.models.activations(args.model, args.hook, args.text, {
        saeId: args.sae,
        prependBos: args.prependBos,
      });
      const bytes = Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength);
      return { ...result, dtype: 'float32', data: bytes.toString('base64') };
    },
    steerFeature: async (_, args, ctx) => {
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.steering.steer(args);
    },
    // Public (policy.ts: mayReadLearnCircuit); computed once, but each call takes a token like any model run.
    learnCircuit: async (_, __, ctx) => {
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.learn.demoCircuit(ctx.viewer);
    },
    me: (_, __, ctx) => ctx.user,
    myTeams: async (_, __, ctx) => (await ctx.services.teams.teamsOf(requireUser(ctx).id)).map(toTeam),
    team: async (_, { id }, ctx) => {
      const team = (await ctx.services.teams.teamsOf(requireUser(ctx).id)).find((t) => t.team.id === id);
      if (!team) throw new AppError('NOT_FOUND', `No team ${id}`);
      return toTeam(team);
    },
    featureLabels: (_, { feature, ...page }, ctx) => ctx.services.labels.forFeature(ctx.viewer, feature, page),
    shownLabels: (_, args, ctx) => ctx.services.labels.shownLabels(ctx.viewer, args),
    label: (_, { id }, ctx) => ctx.services.labels.get(ctx.viewer, id),
    saeFeatures: (_, args, ctx) => ctx.services.saeFeatures.list(ctx.viewer, args),
    saeCoverage: (_, args, ctx) => ctx.services.saeFeatures.coverage(ctx.viewer, args),
    saeFeatureNeighbours: (_, args, ctx) => ctx.services.saeFeatures.neighbours(ctx.viewer, args),
    searchLabels: (_, args, ctx) => ctx.services.labelSearch.search(ctx.viewer, args),
    exportLabels: (_, args, ctx) => ctx.services.labelTransfer.exportLabels(ctx.viewer, args),
    invitation: (_, { token }, ctx) => ctx.services.invitations.preview(token),
    circuit: async (_, { slug }, ctx) =>
      (await ctx.services.circuits.require(ctx.viewer, { slug }, Access.VIEW)).circuit,
    comments: (_, { target, ...page }, ctx) => ctx.services.comments.list(ctx.viewer, target, page),
    reviewQueue: (_, { pendingOnly, ...page }, ctx) => ctx.services.reviews.queue(ctx.viewer, page, pendingOnly),
    myReviewRequests: (_, { pendingOnly, ...page }, ctx) =>
      ctx.services.reviews.requested(ctx.viewer, page, pendingOnly),
    notifications: (_, args, ctx) => ctx.services.notifications.list(ctx.viewer, args.unreadOnly, args.first),
    unreadNotificationCount: (_, __, ctx) => ctx.services.notifications.unreadCount(ctx.viewer),
    mentionCandidates: (_, args, ctx) => ctx.services.comments.mentionCandidates(ctx.viewer, args.target, args.search),
  },
  Mutation: {
    signUp: async (_, { input }, ctx) => {
      const session = await ctx.services.auth.signUp(input, ctx.addressKey);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      signedInAs(ctx, session.user);
      return session.user;
    },
    signIn: async (_, { input }, ctx) => {
      const session = await ctx.services.auth.signIn(input, ctx.addressKey);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      signedInAs(ctx, session.user);
      return session.user;
    },
    signOut: async (_, __, ctx) => {
      await ctx.services.auth.signOut(ctx.sessionToken);
      ctx.setCookies.push(clearedSessionCookie(ctx.secureCookies));
      return true;
    },
    createTeam: async (_, { input }, ctx) => toTeam(await ctx.services.teams.createTeam(requireUser(ctx).id, input)),
    setLabelAcceptVotes: async (_, args, ctx) => toTeam(await ctx.services.teams.setLabelAcceptVotes(ctx.viewer, args)),
    addTeamMember: (_, { input }, ctx) => ctx.services.teams.addMember(ctx.viewer, input),
    removeTeamMember: (_, args, ctx) => ctx.services.teams.removeMember(ctx.viewer, args),
    createInvitation: async (_, args, ctx) => {
      const { invitation, token } = await ctx.services.invitations.create(ctx.viewer, {
        teamId: args.teamId,
        role: args.role ?? undefined,
        days: args.days ?? undefined,
      });
      return { invitation, token, path: `/invite/${token}` };
    },
    acceptInvitation: async (_, { token }, ctx) => {
      const team = await ctx.services.invitations.accept(ctx.viewer, token);
      const mine = (await ctx.services.teams.teamsOf(ctx.user!.id)).find((t) => t.team.id === team.id)!;
      return toTeam(mine);
    },
    revokeInvitation: (_, { id }, ctx) => ctx.services.invitations.revoke(ctx.viewer, id),
    proposeLabel: (_, { input }, ctx) => ctx.services.labels.propose(ctx.viewer, input),
    editLabel: (_, { input }, ctx) => ctx.services.labels.edit(ctx.viewer, input),
    voteLabel: (_, args, ctx) => ctx.services.labels.vote(ctx.viewer, args),
    importLabels: (_, { input }, ctx) => ctx.services.labelTransfer.importLabels(ctx.viewer, input),
    createCircuit: (_, { input }, ctx) => ctx.services.circuits.create(ctx.viewer, input),
    saveCircuitVersion: (_, { input }, ctx) => ctx.services.circuits.saveVersion(ctx.viewer, input),
    forkCircuit: (_, { input }, ctx) => ctx.services.circuits.fork(ctx.viewer, input),
    setCircuitVisibility: (_, args, ctx) =>
      ctx.services.circuits.setVisibility(ctx.viewer, args.circuitId, args.visibility),
    voteCircuit: (_, args, ctx) => ctx.services.circuits.vote(ctx.viewer, args),
    createShareLink: async (_, { input }, ctx) => {
      const { link, token } = await ctx.services.shares.create(ctx.viewer, input);
      const circuit = await ctx.services.prisma.circuit.findUniqueOrThrow({ where: { id: link.circuitId } });
      const path = `/c/${circuit.slug}${link.version ? `/v/${link.version}` : ''}?share=${token}`;
      return { link, token, path };
    },
    revokeShareLink: (_, { id }, ctx) => ctx.services.shares.revoke(ctx.viewer, id),
    addComment: (_, { input }, ctx) => ctx.services.comments.add(ctx.viewer, input),
    setCommentResolved: (_, args, ctx) => ctx.services.comments.setResolved(ctx.viewer, args.id, args.resolved),
    requestReview: (_, { input }, ctx) => ctx.services.reviews.request(ctx.viewer, input),
    decideReview: (_, { input }, ctx) => ctx.services.reviews.decide(ctx.viewer, input),
    markNotificationRead: (_, { id }, ctx) => ctx.services.notifications.markRead(ctx.viewer, id),
    markAllNotificationsRead: (_, __, ctx) => ctx.services.notifications.markAllRead(ctx.viewer),
    startCircuitJob: (_, { input }, ctx) => {
      // GraphQL null means "not given" here: drop it so the defaults apply.
      const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
      const { model, saes, ...rest } = given;
      return ctx.services.jobs.startCircuit(ctx.viewer, { ...rest, modelId: model, saeIds: saes });
    },
    startPromptGraphJob: (_, { input }, ctx) => {
      const { model, ...rest } = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
      return ctx.services.jobs.startPromptGraph(ctx.viewer, { ...rest, modelId: model });
    },
    evaluateSelection: (_, args, ctx) => ctx.services.jobs.startEvaluation(ctx.viewer, args),
    ablateSelection: (_, args, ctx) => ctx.services.jobs.startAblation(ctx.viewer, args),
    saveSteeringEvidence: async (_, args, ctx) => {
      // It runs the model, as steerFeature does.
      await ctx.services.computeLimiter.take(ctx.clientKey);
      return ctx.services.evidence.saveSteering(ctx.viewer, args);
    },
    saveAblationEvidence: (_, args, ctx) => ctx.services.evidence.saveAblation(ctx.viewer, args),
    computeDashboards: (_, args, ctx) => ctx.services.jobs.startDashboards(ctx.viewer, args),
    explainFeatures: (_, args, ctx) => ctx.services.jobs.startExplain(ctx.viewer, args),
    draftLabelFromTokenPattern: (_, args, ctx) =>
      ctx.services.labelDrafts.draftFromTokenPattern(ctx.viewer, {
        teamId: args.teamId,
        modelId: args.model,
        saeId: args.sae,
        featureIndex: args.featureIndex,
        visibility: args.visibility ?? undefined,
      }),
    // null means "not given": the job's own defaults apply (a null reached the worker's parse and failed the job).
    startSelftestJob: (_, { steps, stepMs, failAt }, ctx) =>
      ctx.services.jobs.startSelftest(ctx.viewer, {
        steps: steps ?? undefined,
        stepMs: stepMs ?? undefined,
        failAt: failAt ?? undefined,
      }),
    cancelJob: (_, { id }, ctx) => ctx.services.jobs.cancel(ctx.viewer, id),
  },
  // Each subscription ends, with an error, within SUBSCRIPTION_RECHECK_MS of losing what it depended on (see
  // accessCheck): the session it was opened with, and its team, circuit (membership or share link) or job.
  Subscription: {
    myTeamAdded: {
      subscribe: (_, __, ctx) => {
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
      subscribe: (_, { feature }, ctx) => {
        const key = parseInput(featureKeySchema, feature);
        return guarded(ctx, accessCheck(ctx), (signal) =>
          filtered(
            ctx,
            [featureTopic(key)],
            async (event) => {
              const audience = event.teamId ? String(event.teamId) : null;
              if (audience) ctx.viewer.loaders.role.clearAll(); // the role now: a removed member stops hearing
              return mayHearFeatureEvent(audience ? await roleOf(ctx.viewer, audience) : null, audience);
            },
            signal,
          ),
        );
      },
      resolve: (event: ChangeEvent) => event,
    },
    circuitChanged: {
      subscribe: async (_, { circuitId }, ctx) => {
        const canView = async () => {
          await ctx.services.circuits.require(ctx.viewer, { id: circuitId }, Access.VIEW);
          return true;
        };
        await canView();
        return guarded(ctx, accessCheck(ctx, canView), (signal) =>
          filtered(
            ctx,
            [circuitTopic(circuitId)],
            async (event) => {
              ctx.viewer.loaders.role.clearAll();
              const grant = await ctx.services.circuits
                .require(ctx.viewer, { id: circuitId }, Access.VIEW)
                .then(({ grant }) => grant)
                .catch(() => null);
              if (!grant) return false;
              // A version link hears only of its own version: an event that names another (a version saved, its
              // evidence) would tell it what it may not open, as Circuit.version and Circuit.evidence refuse it.
              return grant.onlyVersion === null || !('version' in event) || grant.onlyVersion === event.version;
            },
            signal,
          ),
        );
      },
      resolve: (event: ChangeEvent) => event,
    },
    jobProgress: {
      subscribe: async (_, { id }, ctx) => {
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
                  status: 'RUNNING' as const,
                  // Job.stage and percent are non-null: an event without them keeps the last known.
                  stage: event.stage ?? job.stage,
                  percent: event.percent ?? job.percent,
                  etaSeconds: event.etaSeconds ?? null,
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
      subscribe: async (_, { teamId }, ctx) => {
        requireUser(ctx);
        const isMember = async () => (await roleOf(ctx.viewer, teamId)) !== null;
        if (!(await isMember())) throw new AppError('NOT_FOUND', `No team ${teamId}`);
        // Membership is checked again every SUBSCRIPTION_RECHECK_MS, not per event (a busy team has many events and
        // many open pages): someone removed from the team stops hearing within it.
        return guarded(ctx, accessCheck(ctx, isMember), (signal) =>
          filtered(ctx, [teamTopic(teamId)], async () => true, signal),
        );
      },
      resolve: (event: ChangeEvent) => event,
    },
    myInbox: {
      subscribe: (_, __, ctx) => {
        const user = requireUser(ctx);
        return guarded(ctx, accessCheck(ctx), (signal) =>
          filtered(ctx, [inboxTopic(user.id)], async () => true, signal),
        );
      },
      resolve: (event: ChangeEvent) => event,
    },
  },
  User: {
    email: async (u, _, ctx) => ((await emailVisible(ctx.services.prisma, ctx.viewer, u.id)) ? u.email : null),
  },
  Model: {
    nLayers: (m) => m.config.nLayers,
    dModel: (m) => m.config.dModel,
    nHeads: (m) => m.config.nHeads,
    vocabSize: (m) => m.config.vocabSize,
    contextLength: (m) => m.config.nCtx,
    saes: (m, _, ctx) => ctx.services.models.saesOf(m.id),
    transcoders: (m, _, ctx) => ctx.services.models.transcodersOf(m.id),
    vocabulary: (m, _, ctx) => ctx.services.models.vocabulary(m.id),
  },
  Sae: {
    prependBos: (s) => s.conventions.prependBos,
    centerResidual: (s) => s.conventions.centerResidual,
    normalize: (s) => s.conventions.normalize,
    encoderUrl: (s, { dtype }) => {
      if (dtype !== 'fp32' && dtype !== 'fp16') throw new AppError('BAD_USER_INPUT', 'dtype: fp32 or fp16');
      return encoderUrl(s, dtype);
    },
  },
  Team: {
    can: (team) => teamPermissions(team.myRole),
    members: (team, _, ctx) => ctx.services.teams.members(ctx.viewer, team.id),
    invitations: (team, _, ctx) => ctx.services.invitations.list(ctx.viewer, team.id),
    circuits: (team, page, ctx) => ctx.services.circuits.forTeam(ctx.viewer, team.id, page),
    labels: (team, page, ctx) => ctx.services.labels.forTeam(ctx.viewer, team.id, page),
    activity: (team, { first }, ctx) => ctx.services.teams.activity(ctx.viewer, team.id, Math.min(first ?? 50, 200)),
  },
  ActivityEvent: {
    actor: (e, _, ctx) => loadUser(ctx, e.actorId),
  },
  FeatureLabel: {
    author: (l, _, ctx) => loadUser(ctx, l.authorId),
    revisions: (l, _, ctx) => ctx.services.labels.revisions(ctx.viewer, l.id),
    source: (l) => (l.source === null || l.source === undefined ? null : JSON.stringify(l.source)),
    evidence: (l, _, ctx) => ctx.services.evidence.forLabel(ctx.viewer, l.id),
    agreement: (l, _, ctx) => ctx.services.labels.agreement(ctx.viewer, l.id),
    myVote: (l, _, ctx) => ctx.services.labels.myVote(ctx.viewer, l.id),
    can: (l, _, ctx) => ctx.services.labels.permissions(ctx.viewer, l),
    revisedAt: (l, _, ctx) => ctx.services.labels.revisedAt(ctx.viewer, l),
    detectionScore: (l) => detectionScoreOf(l.source),
  },
  LabelRevision: {
    author: (r, _, ctx) => loadUser(ctx, r.authorId),
  },
  Circuit: {
    createdBy: (c, _, ctx) => loadUser(ctx, c.createdById),
    myAccess: async (c, _, ctx) => accessName((await grantOf(ctx, c)).access),
    can: async (c, _, ctx) => circuitPermissions((await grantOf(ctx, c)).access),
    onlyVersion: async (c, _, ctx) => (await grantOf(ctx, c)).onlyVersion,
    status: async (c, _, ctx) => circuitStatus(await ctx.services.reviews.forLatest(ctx.viewer, c)),
    // A link to one version shows nothing of the others' reviews.
    approvedVersion: async (c, _, ctx) =>
      (await grantOf(ctx, c)).onlyVersion === null ? ctx.services.reviews.approvedVersion(ctx.viewer, c) : null,
    reviews: (c, _, ctx) => ctx.services.reviews.forLatest(ctx.viewer, c),
    reviewAgreement: async (c, _, ctx) => reviewAgreement(await ctx.services.reviews.forLatest(ctx.viewer, c)),
    score: async (c, _, ctx) => {
      const { up, down } = await ctx.services.circuits.voteAgreement(ctx.viewer, c.id);
      return up - down;
    },
    voteAgreement: (c, _, ctx) => ctx.services.circuits.voteAgreement(ctx.viewer, c.id),
    myVote: (c, _, ctx) => ctx.services.circuits.myVote(ctx.viewer, c.id),
    faithfulness: async (c, _, ctx) => (await shownMetrics(ctx, c)).faithfulness,
    completeness: async (c, _, ctx) => (await shownMetrics(ctx, c)).completeness,
    version: async (c, { number }, ctx) => {
      const grant = await grantOf(ctx, c);
      return ctx.services.circuits.version(ctx.viewer, c.id, number ?? grant.onlyVersion ?? c.latestVersion);
    },
    versions: (c, _, ctx) => ctx.services.circuits.versions(ctx.viewer, c.id),
    evidence: (c, { version }, ctx) => ctx.services.evidence.forCircuit(ctx.viewer, c.id, version ?? null),
    diff: (c, args, ctx) => ctx.services.circuits.diff(ctx.viewer, c.id, args.from, args.to),
    shareLinks: (c, _, ctx) => ctx.services.shares.forCircuit(ctx.viewer, c.id),
  },
  CircuitVersion: {
    author: (v, _, ctx) => loadUser(ctx, v.authorId),
  },
  Evidence: {
    author: (e, _, ctx) => loadUser(ctx, e.authorId),
  },
  Review: {
    circuit: async (r, _, ctx) => {
      try {
        return (await ctx.services.circuits.require(ctx.viewer, { id: r.circuitId }, Access.VIEW)).circuit;
      } catch {
        return null;
      }
    },
    reviewer: (r, _, ctx) => loadUser(ctx, r.reviewerId),
    requestedBy: (r, _, ctx) => loadUser(ctx, r.requestedById),
  },
  Comment: {
    author: (c, _, ctx) => loadUser(ctx, c.authorId),
    resolved: (c) => c.resolvedAt !== null,
    resolvedBy: (c, _, ctx) => loadUser(ctx, c.resolvedById),
  },
  Notification: {
    actor: (n, _, ctx) => loadUser(ctx, notificationData(n).actorId ?? null),
    // Notifications from before subjects and paths were recorded say less, and open the home page.
    subject: (n) => notificationData(n).subject ?? 'a comment',
    path: (n) => notificationData(n).path ?? '/',
    excerpt: (n) => notificationData(n).excerpt ?? null,
    read: (n) => n.readAt !== null,
  },
};
