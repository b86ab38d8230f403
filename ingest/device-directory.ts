/**
 * The gateway's view of registered devices. The server implements it on the store,
 * which keeps only token hashes.
 */
export interface DeviceDirectory {
  /** Returns the device that owns `token` and its last persisted seq, or null for an unknown token. */
  authenticate(token: string): Promise<{ deviceId: string; lastSeq: number } | null>;
  /** Persists the highest seq the gateway accepted. Implementations must keep the greater of the stored and the new value. */
  saveLastSeq(deviceId: string, lastSeq: number): Promise<void>;
}
