/**
 * Sets an own, enumerable property. Plain assignment would treat a key named
 * `__proto__` (which any sender can put in a form body or a URL) as the
 * object's prototype instead of as data.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A field the object itself holds (never one inherited, such as `constructor` or `__proto__`'s). */
export function ownValue(record: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/** A field the object itself holds, when it is non-empty text. */
export function ownText(record: Record<string, unknown>, name: string): string | undefined {
  const value = ownValue(record, name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
