import { mulDivRoundHalfUp, rateToFraction } from '../../common/money.js';

/** One commission level: its 1-based number and the rate as an exact fraction. */
export interface CommissionLevel {
  level: number;
  numerator: number;
  denominator: number;
}

/** `PAYBACK_RATES` (level 1 first) as exact fractions, so no float ever touches money. */
export function commissionLevels(rates: readonly number[]): CommissionLevel[] {
  return rates.map((rate, i) => ({ level: i + 1, ...rateToFraction(rate) }));
}

/** `round(total × rate, 2)` half-up, in integer cents. */
export function commissionCents(
  totalCents: number,
  level: CommissionLevel,
): number {
  return mulDivRoundHalfUp(totalCents, level.numerator, level.denominator);
}

/** `ab***@example.com`: enough for the inviter to recognise a referee, not to harvest emails. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return `${email.slice(0, 2)}***`;
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}
