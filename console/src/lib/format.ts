/** Shortens an id for display to its first `length` characters plus an ellipsis. */
export function shortenId(id: string, length = 8): string {
  return id.length > length + 1 ? `${id.slice(0, length)}…` : id;
}
