import type { Circuit, PrismaClient, SharePermission } from '../generated/prisma/client.js';
import { Access, circuitAccess } from './policy.js';
import { hashToken } from './tokens.js';
import { roleOf, type Viewer } from './viewer.js';

export { Access };

const LINK_ACCESS: Record<SharePermission, Access> = { VIEW: Access.VIEW, COMMENT: Access.COMMENT, EDIT: Access.EDIT };

export interface CircuitGrant {
  access: Access;
  /** Set when the only grant is a share link for one version: nothing else of the circuit is visible. */
  onlyVersion: number | null;
}

/**
 * The one place that decides circuit access: the team role by visibility, from policy.ts's CIRCUIT_RULES (PRIVATE
 * is the creator's and admins'; TEAM, UNLISTED and PUBLIC let members edit and viewers view; UNLISTED and PUBLIC
 * let anyone view). A valid share link adds its permission. Writing (comment, vote, edit) always needs a signed-in
 * user, so every change has an author.
 */
export async function grantFor(prisma: PrismaClient, viewer: Viewer, circuit: Circuit): Promise<CircuitGrant> {
  const role = await roleOf(viewer, circuit.teamId);
  const isCreator = viewer.user?.id === circuit.createdById;
  let access = circuitAccess(role, isCreator, circuit.visibility);

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
