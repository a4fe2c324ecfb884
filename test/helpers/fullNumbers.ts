/** Every string (and number, as its digits) in a value, keys included. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
  return [];
}

/** The full numbers of `numbers` (with or without their `+`) found anywhere in `value`. */
export function fullNumbersIn(value: unknown, numbers: string[]): string[] {
  const text = stringsOf(value).join('\n');
  return numbers.flatMap((n) => [n, n.replace(/^\+/, '')]).filter((n) => text.includes(n));
}
