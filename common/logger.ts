import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Creates the root logger. Components take a child with `logger.child({ component })`
 * so every line carries its namespace. Secrets are redacted by path as a second line
 * of defence; code must still never pass them in. Lines go to stdout unless
 * `destination` is given, e.g. `pino.destination(2)` for stderr.
 */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name ?? 'cloudburst',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'adminToken'],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** Returns a logger that drops everything, for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
