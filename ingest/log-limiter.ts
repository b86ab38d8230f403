import type { Logger } from '../common/logger.js';

/**
 * Writes at most `maxPerWindow` warnings per window and counts the rest. The next
 * warning written after a full window carries `suppressed`, the number of warnings
 * dropped since the previous one, so a client that floods bad frames cannot flood the log.
 */
export class LogLimiter {
  private windowStart = 0;
  private writtenInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly options: { maxPerWindow: number; windowMs: number; now?: () => number },
  ) {}

  warn(context: Record<string, unknown>, message: string): void {
    const now = (this.options.now ?? Date.now)();
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.writtenInWindow = 0;
    }

    if (this.writtenInWindow >= this.options.maxPerWindow) {
      this.suppressed += 1;
      return;
    }

    this.writtenInWindow += 1;
    if (this.suppressed > 0) {
      this.logger.warn({ ...context, suppressed: this.suppressed }, message);
      this.suppressed = 0;
    } else {
      this.logger.warn(context, message);
    }
  }
}
