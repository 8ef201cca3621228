import { toCents } from '../../../common/money.js';

/** Stripe's zero-decimal currencies: an amount is whole units. */
const ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '),
);
/** Three-decimal currencies: an amount is thousandths. */
const THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));

/**
 * An order total ("12.50") in the currency's minor units. Orders are kept in cents, so a
 * zero-decimal currency refuses a total with cents (it could not be charged exactly).
 */
export function toMinorUnits(total: string, currency: string): number {
  const cents = toCents(total);
  const code = currency.toUpperCase();
  if (THREE_DECIMAL.has(code)) return cents * 10;
  if (!ZERO_DECIMAL.has(code)) return cents;
  if (cents % 100 !== 0)
    throw new RangeError(`${code} has no cents: ${total} cannot be charged`);
  return cents / 100;
}

/** Minor units back to cents; an amount cents cannot hold exactly becomes NaN (never equal). */
export function fromMinorUnits(minor: number, currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return minor * 100;
  if (THREE_DECIMAL.has(code)) return minor % 10 === 0 ? minor / 10 : NaN;
  return minor;
}

/** Whether the currency can charge this total exactly (zero-decimal ones need whole units). */
export function chargeable(total: string, currency: string): boolean {
  try {
    toMinorUnits(total, currency);
    return true;
  } catch {
    return false;
  }
}
