/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The one email normalisation of the auth DTOs: trimmed, lower case, and well-formed UTF-16 (a
 * lone surrogate becomes U+FFFD): validator's isEmail runs encodeURI, which throws on a lone
 * surrogate, and that must be a 400 like any other bad address, not a 500.
 */
export const normaliseEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value.replace(LONE_SURROGATE, '\uFFFD').trim().toLowerCase()
    : value;
