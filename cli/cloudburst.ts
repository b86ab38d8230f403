#!/usr/bin/env node

const USAGE = `Usage: cloudburst <command> [options]

Commands:
  start       Run the server on the embedded defaults (PGlite store, in-process bus).
              Settings come from the environment: PORT, HOST, DATA_DIR, ADMIN_TOKEN, LOG_LEVEL, TILE_URL,
              PUBLIC_URL, DATABASE_URL, KAFKA_BROKERS, PAYMENT_PROVIDER (sandbox or stripe, with
              STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET), UNPAID_ORDER_MINUTES and the message
              providers' settings; README.md lists them all.
  demo        Replay real GPS trajectories as devices against a running server.
              Run "cloudburst demo --help" for its options.
  replay      Run a campaign over recorded pings, from the store or a file, and report
              who it would have reached and when. Sends nothing.
              Run "cloudburst replay --help" for its options.
  campaign    Create, update, schedule, end, list and watch campaigns on a running server:
              apply FILE [--schedule], schedule ID, unschedule ID, end ID, status ID [--json], list.
              Run "cloudburst campaign --help" for details. Examples:
                cloudburst campaign apply friday-lunch.json
                cloudburst campaign status 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d
  import      Upload a contact list (Meta leads, Square customers, X followers, CSV or JSON)
              into a campaign segment on a running server and print its row issues.
              Run "cloudburst import --help" for its options. Example:
                cloudburst import --segment 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d leads.csv --consent sms
  menu        Publish and show a truck's menu on a running server:
              apply TRUCK_ID FILE, show TRUCK_ID [--json].
              Run "cloudburst menu --help" for details. Example:
                cloudburst menu apply 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d lunch-menu.json
  orders      Print a truck's pickup queue and move or refund its orders on a running server:
              TRUCK_ID [--status STATUSES] [--json], move ORDER_ID STATUS, refund ORDER_ID.
              Run "cloudburst orders --help" for details. Example:
                cloudburst orders move 5d1f3a2b-7c4e-4a9f-8b6d-1e2f3a4b5c6d ready

The campaign, import, menu and orders commands reach the server at --url (default
$CLOUDBURST_URL, else http://127.0.0.1:8080) with --token (default $ADMIN_TOKEN, else
DATA_DIR/admin-token).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Each command loads its own modules, so a client command does not start by loading the whole server.
    case 'start':
      return (await import('./start-command.js')).runStart();
    case 'demo':
      return (await import('./demo-command.js')).runDemo(rest);
    case 'replay':
      return (await import('./replay-command.js')).runReplayCommand(rest);
    case 'campaign':
      return (await import('./campaign-command.js')).runCampaignCommand(rest);
    case 'import':
      return (await import('./import-command.js')).runImportCommand(rest);
    case 'menu':
      return (await import('./menu-command.js')).runMenuCommand(rest);
    case 'orders':
      return (await import('./orders-command.js')).runOrdersCommand(rest);
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
