/** Creates a Storage stand-in over a Map, or one that throws on every call like a blocked localStorage. */
export function memoryStorage(blocked = false) {
  const items = new Map<string, string>();
  const check = () => {
    if (blocked) throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  return {
    items,
    getItem: (key: string) => (check(), items.get(key) ?? null),
    setItem: (key: string, value: string) => (check(), void items.set(key, value)),
    removeItem: (key: string) => (check(), void items.delete(key)),
  };
}
