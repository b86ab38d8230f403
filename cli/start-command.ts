import { createLogger } from '../common/logger.js';
import { startCloudburst } from '../server/app-server.js';
import { configFromEnv } from '../server/config.js';

/** Runs the server until SIGINT or SIGTERM, then stops cleanly and exits 0. */
export async function runStart(): Promise<number> {
  const config = configFromEnv();
  const logger = createLogger({ level: config.logLevel });
  const running = await startCloudburst({ ...config, logger });

  // Printed, not logged: the operator needs the token once, and log pipelines must never carry it.
  process.stdout.write(
    `\nCloudburst is running.\n  console:     ${running.url}/#token=${running.adminToken}\n  admin token: ${running.adminToken}\n  data dir:    ${config.dataDir}\n\n`,
  );

  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        logger.warn({ signal }, 'second signal: exiting without a clean stop');
        process.exit(1);
      }
      signalled = true;
      logger.info({ signal }, 'signal received; stopping');
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'clean stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
