#!/usr/bin/env node
import { runDemo } from './demo-command.js';
import { runReplayCommand } from './replay-command.js';
import { runStart } from './start-command.js';

const USAGE = `Usage: cloudburst <command> [options]

Commands:
  start   Run the server on the embedded defaults (PGlite store, in-process bus).
          Settings come from the environment: PORT, HOST, DATA_DIR, ADMIN_TOKEN, LOG_LEVEL, TILE_URL.
  demo    Replay real GPS trajectories as devices against a running server.
          Run "cloudburst demo --help" for its options.
  replay  Run a campaign over recorded pings, from the store or a file, and report
          who it would have reached and when. Sends nothing.
          Run "cloudburst replay --help" for its options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart();
    case 'demo':
      return runDemo(rest);
    case 'replay':
      return runReplayCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cloudburst: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
