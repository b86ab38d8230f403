/**
 * Maps a key to a partition with a 32-bit FNV-1a hash of its UTF-16 code units.
 * Stable across processes, so a device's pings always land in one partition.
 */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
