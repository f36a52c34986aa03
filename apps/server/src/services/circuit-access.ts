import type { Circuit, PrismaClient, SharePermission } from '../generated/prisma/client.js';
import { AppError, utcMinute } from './errors.js';
import { Access, circuitAccess } from './policy.js';
import { hashToken } from './tokens.js';
import { roleOf, type Viewer } from './viewer.js';

export { Access };

const LINK_ACCESS: Record<SharePermission, Access> = { VIEW: Access.VIEW, COMMENT: Access.COMMENT, EDIT: Access.EDIT };

export interface CircuitGrant {
  access: Access;
  /** Set when the only grant is a share link for one version: nothing else of the circuit is visible. */
  onlyVersion: number | null;
  /**
   * The most an expired (not revoked) share link presented for this circuit would have given, and when it expired:
   * lets a refusal tell the token's holder why (SHARE_LINK_EXPIRED) instead of NOT_FOUND. Null when none.
   */
  expiredLink: { access: Access; expiredAt: Date } | null;
}

/**
 * The one place that decides circuit access: the team role by visibility, from policy.ts's CIRCUIT_RULES (PRIVATE
 * is the creator's and admins'; TEAM, UNLISTED and PUBLIC let members edit and viewers view; UNLISTED and PUBLIC
 * let anyone view). A valid share link adds its permission; an expired one adds nothing but is remembered
 * (expiredLink), and a revoked one is as if never presented. Writing (comment, vote, edit) always needs a signed-in
 * user, so every change has an author.
 */
export async function grantFor(prisma: PrismaClient, viewer: Viewer, circuit: Circuit): Promise<CircuitGrant> {
  const role = await roleOf(viewer, circuit.teamId);
  const isCreator = viewer.user?.id === circuit.createdById;
  let access = circuitAccess(role, isCreator, circuit.visibility);

  let onlyVersion: number | null = null;
  let expiredLink: CircuitGrant['expiredLink'] = null;
  if (viewer.shareTokens.length) {
    // Expired links too (one query either way): revocation wins over expiry, so revoked ones are left out here.
    const links = await prisma.shareLink.findMany({
      where: { circuitId: circuit.id, tokenHash: { in: viewer.shareTokens.map(hashToken) }, revokedAt: null },
    });
    const now = Date.now();
    for (const link of links) {
      const linkAccess = LINK_ACCESS[link.permission];
      if (link.expiresAt && link.expiresAt.getTime() <= now) {
        if (!expiredLink || linkAccess > expiredLink.access)
          expiredLink = { access: linkAccess, expiredAt: link.expiresAt };
        continue;
      }
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
  return { access, onlyVersion, expiredLink };
}

/** The refusal for a circuit only an expired share link would have opened; whoever shared it can make a new one. */
export function shareLinkExpired(expiredAt: Date): AppError {
  return new AppError(
    'SHARE_LINK_EXPIRED',
    `This share link expired on ${utcMinute(expiredAt)}; whoever shared it with you can make a new one`,
    { expiredAt: expiredAt.toISOString() },
  );
}
