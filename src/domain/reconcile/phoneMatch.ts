import { REDACTION_MASK_CHAR } from '../redaction';

/** Digits and mask characters only, behind the channel prefix if any: `whatsapp:+1 (415) 555-01**` → `whatsapp:+141555501**`. */
export function normalizeAddress(value: string): string {
  const prefix = /^[a-z][a-z0-9-]*:/i.exec(value)?.[0].toLowerCase() ?? '';
  const rest = value.slice(prefix.length);
  const plus = rest.trimStart().startsWith('+') ? '+' : '';
  return `${prefix}${plus}${rest.replace(/[^0-9*]/g, '')}`;
}

/**
 * Two recipient numbers match when they are the same number with either side's
 * trailing digits possibly redacted: equal length, equal on every position that
 * neither side masked. `+1415555****` matches `+14155550101` and `+14155550***`.
 * A number fully masked on either side matches nothing: it proves nothing.
 */
export function addressesMatch(a: string, b: string): boolean {
  const x = normalizeAddress(a);
  const y = normalizeAddress(b);
  if (x.length !== y.length) return false;
  let known = 0;
  for (let i = 0; i < x.length; i++) {
    const cx = x[i];
    const cy = y[i];
    if (cx === REDACTION_MASK_CHAR || cy === REDACTION_MASK_CHAR) continue;
    if (cx !== cy) return false;
    if (cx >= '0' && cx <= '9') known++;
  }
  return known > 0;
}
