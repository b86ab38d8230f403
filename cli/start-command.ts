import { createLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { configFromEnv } from '../server/config.js';

/** Runs the server until SIGINT or SIGTERM, then stops cleanly and exits 0. */
export async function runStart(): Promise<number> {
  const config = configFromEnv();
  const logger = createLogger({ level: config.logLevel });

  // Listen for signals before anything else: Node terminates the process on a signal
  // that arrives before a listener exists, so a stop during startup would skip the clean stop.
  let resolveSignal!: (signal: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without a clean stop');
      process.exit(1);
    }
    logger.info({ signal }, 'signal received; stopping');
    resolveSignal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const running: RunningCloudburst = await startCloudburst({ ...config, logger });

  // Printed, not logged: the operator needs the token once, and log pipelines must never carry it.
  process.stdout.write(
    `\nCloudburst is running.\n  console:     ${running.url}/#token=${running.adminToken}\n  admin token: ${running.adminToken}\n  data dir:    ${config.dataDir}\n\n`,
  );

  await signalled;
  try {
    await running.stop();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'clean stop failed');
    return 1;
  }
}
