/**
 * Exponential backoff with "equal jitter" (half the ceiling fixed, half random),
 * the one retry policy shared by the SDK, the bus and delivery. Keeping half the
 * delay fixed stops a crowd of reconnecting clients from retrying at once while
 * never retrying in a hot loop. `attempt` starts at 0.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const ceiling = Math.min(options.maxMs, options.initialMs * factor ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
