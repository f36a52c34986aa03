import type { Role, Team, User } from '../generated/prisma/client.js';
import type { TeamWithRole } from '../services/teams.js';
import { type Context, clearedSessionCookie, requireUser, sessionCookie } from './context.js';

const toTeam = ({ team, role }: TeamWithRole) => ({ ...team, myRole: role });
type TeamResult = Team & { myRole: Role };

type Args<T> = { input: T };

export const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: Context): User | null => ctx.user,
    myTeams: async (_: unknown, __: unknown, ctx: Context): Promise<TeamResult[]> =>
      (await ctx.services.teams.teamsOf(requireUser(ctx).id)).map(toTeam),
  },
  Mutation: {
    signUp: async (_: unknown, { input }: Args<unknown>, ctx: Context): Promise<User> => {
      const session = await ctx.services.auth.signUp(input);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      return session.user;
    },
    signIn: async (_: unknown, { input }: Args<unknown>, ctx: Context): Promise<User> => {
      const session = await ctx.services.auth.signIn(input);
      ctx.setCookies.push(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      return session.user;
    },
    signOut: async (_: unknown, __: unknown, ctx: Context): Promise<boolean> => {
      await ctx.services.auth.signOut(ctx.sessionToken);
      ctx.setCookies.push(clearedSessionCookie(ctx.secureCookies));
      return true;
    },
    createTeam: async (_: unknown, { input }: Args<unknown>, ctx: Context): Promise<TeamResult> =>
      toTeam(await ctx.services.teams.createTeam(requireUser(ctx).id, input)),
  },
  Subscription: {
    myTeamAdded: {
      subscribe: async function* (_: unknown, __: unknown, ctx: Context) {
        const user = requireUser(ctx);
        for await (const event of ctx.services.events.subscribe(`user:${user.id}:teams`)) {
          const { teamId } = event as { teamId: string };
          const team = (await ctx.services.teams.teamsOf(user.id)).find((t) => t.team.id === teamId);
          if (team) yield { myTeamAdded: toTeam(team) };
        }
      },
    },
  },
  Team: {
    createdAt: (team: Team): string => team.createdAt.toISOString(),
  },
};
