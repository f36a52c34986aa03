import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { AuthService } from './auth.js';
import { TeamService } from './teams.js';

/** Everything that owns a rule of the product; resolvers call these and nothing else. */
export interface Services {
  auth: AuthService;
  teams: TeamService;
  events: EventBus;
}

export function createServices(database: Database, events: EventBus): Services {
  return {
    auth: new AuthService(database.prisma),
    teams: new TeamService(database.prisma, events),
    events,
  };
}
