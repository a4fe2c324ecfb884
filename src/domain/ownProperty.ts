/**
 * Sets an own, enumerable property. Plain assignment would treat a key named
 * `__proto__` (which any sender can put in a form body or a URL) as the
 * object's prototype instead of as data.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
