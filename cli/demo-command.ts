import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { runReplay } from '../demo/replay.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';

const HELP = `Usage: cloudburst demo [options]

Replays real GPS trajectories through the device SDK against a running server
(start one with "npm start"), on the approved trucks of the San Francisco permit file.

Options:
  --url URL              server base URL (default http://127.0.0.1:8080, or $CLOUDBURST_URL)
  --token TOKEN          admin token (default $ADMIN_TOKEN, else DATA_DIR/admin-token)
  --trajectories FILE    cabspotting or GeoLife CSV, plain or .gz
                         (default: the SF lunch-time cabspotting slice)
  --permits FILE         SF Mobile Food Facility Permit CSV (default: the copy in demo/data)
  --speedup N            recorded time runs N times faster than the wall clock (default 60)
  --minutes M            minutes of recorded data to replay from the first fix (default 120)
  --radius METRES        campaign fence radius in metres (default 200)
  --out FILE             write each offer as one JSON line to FILE
`;

/** Runs the demo and prints one JSON summary line. */
export async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      trajectories: { type: 'string' },
      permits: { type: 'string' },
      speedup: { type: 'string', default: '60' },
      minutes: { type: 'string', default: '120' },
      radius: { type: 'string', default: '200' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const speedup = positiveNumber('--speedup', values.speedup!);
  const minutes = positiveNumber('--minutes', values.minutes!);
  const radiusM = positiveNumber('--radius', values.radius!);
  const url = values.url ?? process.env.CLOUDBURST_URL ?? 'http://127.0.0.1:8080';
  const adminToken = values.token ?? process.env.ADMIN_TOKEN ?? (await readKeptToken());

  const out = values.out ? createWriteStream(values.out) : undefined;
  const { summary } = await runReplay({
    url,
    adminToken,
    trajectoriesFile: values.trajectories ?? defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv'),
    permitsFile: values.permits ?? BUNDLED_PERMITS,
    speedup,
    minutes,
    radiusM,
    WebSocket,
    onOffer: (offer) => out?.write(`${JSON.stringify(offer)}\n`),
    onProgress: (message) => process.stderr.write(`${message}\n`),
  });
  if (out) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));

  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive number)`);
  return value;
}

async function readKeptToken(): Promise<string> {
  const file = path.join(path.resolve(process.env.DATA_DIR || './data'), 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(`no admin token: pass --token, set ADMIN_TOKEN, or start the server first so ${file} exists`);
  }
}
