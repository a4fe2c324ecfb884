/**
 * Redaction (src/domain/redaction.ts) as SQL expressions, for the fields the
 * SQL engines read from the archive's lines. Each expression reads the
 * `redact_digits` column, not the parameter itself: a lambda reads columns,
 * and a parameter inside one is not something every engine binds.
 */
import { REDACTION_MASK_CHAR } from '../../redaction';
import { firstMatch, removeAll, type SqlDialect } from './dialect';

/** A string literal. */
export function sqlText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const MASK = sqlText(REDACTION_MASK_CHAR);
const isDigit = (char: string) => `(${char} BETWEEN '0' AND '9')`;

/**
 * maskTrailingDigits: a digit is masked when fewer than `redact_digits`
 * digits or masks follow it.
 */
export function maskedTrailingDigits(d: SqlDialect, text: string): string {
  const at = `substr(${text}, i, 1)`;
  const after = `length(${removeAll(d, `substr(${text}, i + 1)`, `[^0-9${REDACTION_MASK_CHAR}]`)})`;
  return `(CASE WHEN redact_digits <= 0 OR ${text} IS NULL OR length(${text}) = 0 THEN ${text}
    ELSE ${d.joinPositions(`length(${text})`, `CASE WHEN ${isDigit(at)} AND ${after} < redact_digits THEN ${MASK} ELSE ${at} END`)} END)`;
}

/** redaction.ts's PHONE_LIKE: a value that is one number, behind a channel prefix or not, is masked whole. */
const PHONE_LIKE = String.raw`\A([a-zA-Z][a-zA-Z0-9-]*:)?\+[0-9]{6,15}\z`;

/**
 * A status or an error code as redactRecord masks one (its "text"
 * placement): a value that is a number whole, else every number inside it,
 * `+` (or `%2B`) and 6–15 digits not after a digit, or a bare run of 10–15
 * digits; either standing alone (not inside a word). maskPhoneNumbersInText
 * finds them with look-behinds, which neither engine's regular expressions
 * have, so here each position asks the same of the run of digits (and masks)
 * it is in: how long it is, what stands before and after it, how many of it
 * follow. One difference is left: with `%2B` before a run shorter than
 * `redact_digits`, the TypeScript masks the 2 of `%2B` too, and this does not.
 */
export function maskedNumbersInText(d: SqlDialect, text: string): string {
  const at = `substr(${text}, i, 1)`;
  // The run of digits and masks the position is in: how many of it stand before and after the position.
  const before = `length(${firstMatch(`substr(${text}, 1, i - 1)`, String.raw`[0-9*]*\z`)})`;
  const after = `length(${firstMatch(`substr(${text}, i + 1)`, String.raw`\A[0-9*]*`)})`;
  const start = `(i - ${before})`;
  const length = `(${before} + 1 + ${after})`;
  const charBefore = (n: number) => `(CASE WHEN ${start} > ${n} THEN substr(${text}, ${start} - ${n}, ${n}) ELSE '' END)`;
  const notAfterDigit = (n: number) => `NOT coalesce(${isDigit(`substr(${text}, ${start} - ${n}, 1)`)} AND ${start} > ${n}, false)`;
  const alone = `NOT ${d.matches(`substr(${text}, i + ${after} + 1, 1)`, '[A-Za-z0-9_*]')}`;
  const plusNumber = `(((${charBefore(1)} = '+' AND ${notAfterDigit(2)}) OR (upper(${charBefore(3)}) = '%2B' AND ${notAfterDigit(4)}))
      AND ${length} BETWEEN 6 AND 15 AND ${alone})`;
  const bareNumber = `(${length} BETWEEN 10 AND 15 AND NOT ${d.matches(charBefore(1), '[A-Za-z0-9_+*]')} AND ${alone})`;
  return `(CASE WHEN redact_digits <= 0 OR ${text} IS NULL OR length(${text}) = 0 THEN ${text}
    WHEN ${d.matches(text, PHONE_LIKE)} THEN ${maskedTrailingDigits(d, text)}
    ELSE ${d.joinPositions(
      `length(${text})`,
      `CASE WHEN ${isDigit(at)} AND ${after} < redact_digits AND (${plusNumber} OR ${bareNumber}) THEN ${MASK} ELSE ${at} END`,
    )} END)`;
}
