/**
 * Contact import benchmark: imports a generated CSV contact list, produced
 * chunk by chunk and never held in memory as a whole, and prints one JSON
 * line with rows per second and the peak heap.
 *
 *   npx tsx bench/import.ts                 # 1,000,000 rows
 *   npx tsx bench/import.ts --rows 200000
 *
 * Every row has a distinct email, so the duplicate index ends with one key
 * per row. Every PHONE_EVERY-th row also has a phone number, which costs far
 * more to check than an email (libphonenumber-js with its full metadata).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { importContacts } from '../contacts/import/import.js';
import { describeMachine } from './machine.js';

const HELP = `Usage: npx tsx bench/import.ts [--rows N] [--batch N]

  --rows N    rows in the generated CSV file (default 1000000)
  --batch N   contacts per batch handed to the caller (default 500)
`;

const ROWS_PER_CHUNK = 1000;
const PHONE_EVERY = 20;

/** Yields a contact list CSV of `rows` rows, ROWS_PER_CHUNK rows per chunk. */
export async function* generateContactCsv(rows: number): AsyncGenerator<string> {
  yield 'first_name,last_name,email,phone,sms_consent,locale\n';
  for (let start = 0; start < rows; start += ROWS_PER_CHUNK) {
    const lines: string[] = [];
    for (let index = start; index < Math.min(rows, start + ROWS_PER_CHUNK); index += 1) {
      lines.push(`Ann${index},Lee,ann.lee.${index}@example.com,${phoneOf(index)},${index % 2 === 0 ? 'yes' : 'no'},en-US\n`);
    }
    yield lines.join('');
  }
}

// Distinct numbers in exchanges 200 to 299 of area code 415, which
// libphonenumber-js accepts as valid US numbers.
function phoneOf(index: number): string {
  if (index % PHONE_EVERY !== 0) {
    return '';
  }
  const serial = index / PHONE_EVERY;
  const exchange = 200 + (Math.floor(serial / 10_000) % 100);
  return `(415) ${exchange}-${String(serial % 10_000).padStart(4, '0')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '500' }, help: { type: 'boolean' } },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const rows = Number(values.rows);
  const batchSize = Number(values.batch);
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new RangeError(`invalid --rows ${JSON.stringify(values.rows)}: expected a positive integer`);
  }

  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const started = performance.now();

  const run = importContacts(generateContactCsv(rows), {
    format: 'auto',
    defaultCountry: 'US',
    batchSize,
    onProgress: () => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    },
  });
  for await (const batch of run.batches) {
    // A real caller writes the batch to the database here.
    void batch;
  }
  const summary = await run.summary;
  const seconds = (performance.now() - started) / 1000;

  const mebibytes = (bytes: number) => Math.round(bytes / 2 ** 20);
  console.log(
    JSON.stringify({
      rows: summary.rowsRead,
      contacts: summary.contacts,
      issues: summary.errors + summary.warnings + summary.duplicates,
      seconds: Math.round(seconds * 10) / 10,
      rowsPerSecond: Math.round(summary.rowsRead / seconds),
      megabytesRead: Math.round(summary.bytesRead / 1e6),
      heapBeforeMiB: mebibytes(heapBefore),
      peakHeapMiB: mebibytes(peakHeap),
      machine: describeMachine(),
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
