import type { Circuit, PrismaClient, SharePermission } from '../generated/prisma/client.js';
import { hashToken } from './tokens.js';
import { roleOf, type Viewer } from './viewer.js';

/** What someone may do with a circuit; each level includes the ones below it. */
export enum Access {
  NONE = 0,
  VIEW = 1,
  /** Comments, and votes on the circuit. */
  COMMENT = 2,
  EDIT = 3,
  /** Visibility, share links, review requests, deletion. */
  MANAGE = 4,
}

const LINK_ACCESS: Record<SharePermission, Access> = { VIEW: Access.VIEW, COMMENT: Access.COMMENT, EDIT: Access.EDIT };

export interface CircuitGrant {
  access: Access;
  /** Set when the only grant is a share link for one version: nothing else of the circuit is visible. */
  onlyVersion: number | null;
}

/**
 * The one place that decides circuit access. Team role by visibility: PRIVATE is the creator's (and admins');
 * TEAM, UNLISTED and PUBLIC let members edit and viewers view; UNLISTED and PUBLIC let anyone view. A valid share
 * link adds its permission. Writing (comment, vote, edit) always needs a signed-in user, so every change has an author.
 */
export async function grantFor(prisma: PrismaClient, viewer: Viewer, circuit: Circuit): Promise<CircuitGrant> {
  const role = await roleOf(viewer, circuit.teamId);
  const isCreator = viewer.user?.id === circuit.createdById;
  let access = Access.NONE;
  if (role === 'OWNER' || role === 'ADMIN') access = Access.MANAGE;
  else if (circuit.visibility === 'PRIVATE') access = isCreator ? Access.MANAGE : Access.NONE;
  else if (role === 'MEMBER') access = isCreator ? Access.MANAGE : Access.EDIT;
  else if (role === 'VIEWER') access = Access.VIEW;
  if (access < Access.VIEW && (circuit.visibility === 'PUBLIC' || circuit.visibility === 'UNLISTED')) {
    access = Access.VIEW;
  }

  let onlyVersion: number | null = null;
  if (viewer.shareTokens.length) {
    const links = await prisma.shareLink.findMany({
      where: {
        circuitId: circuit.id,
        tokenHash: { in: viewer.shareTokens.map(hashToken) },
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
      },
    });
    for (const link of links) {
      const linkAccess = LINK_ACCESS[link.permission];
      if (linkAccess <= access) continue;
      if (link.version === null) {
        access = linkAccess;
        onlyVersion = null;
      } else if (access === Access.NONE) {
        access = linkAccess;
        onlyVersion = link.version;
      }
    }
  }
  if (!viewer.user && access > Access.VIEW) access = Access.VIEW;
  return { access, onlyVersion };
}
