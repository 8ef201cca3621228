/** One row of the signed-in user's own referral earnings. */
export class ReferralHistoryItemDto {
  /** The referee. */
  userid: number;
  /** The referee's email, masked (`ab***@example.com`). */
  email: string | null;
  /** Amount credited (negative for a clawback). */
  ref_get: number;
  /** The payment that earned it; -1 registration reward, -2 clawback. */
  total: number;
  /** Unix seconds. */
  datetime: number;
  level: number;
}

export class ReferralViewDto {
  invite_code: string;
  invite_url: string;
  invited_count: number;
  /** Net of rewards, commissions and clawbacks. */
  earned_total: number;
  history: ReferralHistoryItemDto[];
}
