import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Creates the root logger. Components take a child with `logger.child({ component })`
 * so every line carries its namespace. Secrets are redacted by path as a second line
 * of defence; code must still never pass them in.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'cloudburst',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'adminToken'],
      censor: '[redacted]',
    },
  });
}

/** Returns a logger that drops everything, for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
