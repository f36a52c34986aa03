import { describe, expect, it } from 'vitest';
import { approvalSplit } from './circuit-status';

describe('approvalSplit', () => {
  it('names the approved version and what became of the later one', () => {
    expect(approvalSplit({ status: 'DRAFT', latestVersion: 5, approvedVersion: 4 })).toEqual({
      approved: 'approved v4',
      latest: 'v5 not reviewed',
    });
    expect(approvalSplit({ status: 'IN_REVIEW', latestVersion: 7, approvedVersion: 2 })).toEqual({
      approved: 'approved v2',
      latest: 'v7 in review',
    });
    expect(approvalSplit({ status: 'CHANGES_REQUESTED', latestVersion: 3, approvedVersion: 1 })).toEqual({
      approved: 'approved v1',
      latest: 'v3 changes requested',
    });
  });

  it('says nothing extra when the latest version is the approved one or nothing was approved', () => {
    expect(approvalSplit({ status: 'APPROVED', latestVersion: 4, approvedVersion: 4 })).toBeNull();
    expect(approvalSplit({ status: 'DRAFT', latestVersion: 4, approvedVersion: null })).toBeNull();
    expect(approvalSplit({ status: 'IN_REVIEW', latestVersion: 1 })).toBeNull();
  });
});
