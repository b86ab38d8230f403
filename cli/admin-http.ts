import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AdminApiError, AdminClient } from '../demo/admin-client.js';

/*
 * Shared parts of the commands that talk to a running server's admin API: the
 * connection options, argument parsing, API error messages and text tables.
 */

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Help lines of the connection options, for each command's help text. */
export const CONNECTION_HELP = `  --url URL              server base URL (default $CLOUDBURST_URL, else ${DEFAULT_URL})
  --token TOKEN          admin token (default $ADMIN_TOKEN, else the admin-token file
                         in $DATA_DIR, else in ./data)
  -h, --help             print this help`;

const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` with the connection options added to `options`. Unknown options and
 * missing option values throw an Error that names the option and the help command.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, helpCommand: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, ...CONNECTION_OPTIONS }, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) throw new Error(`${(error as Error).message} (see "${helpCommand}")`);
    throw error;
  }
}

/** Opens a client for the server at --url, else $CLOUDBURST_URL, with --token, else $ADMIN_TOKEN, else the kept token file. */
export async function connect(values: { url?: string; token?: string }): Promise<AdminClient> {
  // An empty variable counts as unset, as a shell `export CLOUDBURST_URL=` leaves it.
  const url = values.url ?? (process.env.CLOUDBURST_URL || DEFAULT_URL);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    const source = values.url === undefined ? 'CLOUDBURST_URL' : '--url';
    throw new Error(`invalid ${source}: ${JSON.stringify(url)} (expected an http or https URL such as ${DEFAULT_URL})`);
  }

  const token = values.token ?? (process.env.ADMIN_TOKEN || (await readKeptToken()));
  if (token.trim() === '') throw new Error('invalid --token: empty (pass the admin token the server printed at start)');
  return new AdminClient(url, token);
}

async function readKeptToken(): Promise<string> {
  const file = path.join(path.resolve(process.env.DATA_DIR || './data'), 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(`no admin token: pass --token, set ADMIN_TOKEN, or start the server first so ${file} exists`);
  }
}

/**
 * Turns an API error into an Error whose message states what failed, the server's
 * message, and the field and value the server named. `context` starts the message, as
 * in "campaign apply failed", and `fieldSource` names where invalid fields came from, such as a file.
 */
export function explainApiError(error: unknown, context: string, fieldSource?: string): unknown {
  if (!(error instanceof AdminApiError)) return error;
  const lines = [`${context}: ${error.error?.message ?? error.message} (HTTP ${error.status}${error.error ? ` ${error.error.code}` : ''})`];
  // Only invalid input comes from what the user sent. A conflict names a field of the stored state.
  const inSource = fieldSource !== undefined && error.error?.code === 'invalid_input' ? ` (in ${fieldSource})` : '';
  if (error.error?.field !== undefined) lines.push(`  field: ${error.error.field}${inSource}`);
  if (error.error && 'value' in error.error) lines.push(`  value: ${JSON.stringify(error.error.value)}`);
  if (error.status === 401) lines.push('  check --token, $ADMIN_TOKEN or the admin-token file of the server');
  return new Error(lines.join('\n'), { cause: error });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns `raw` in lower case when it is a UUID, and otherwise throws an Error naming `what`, such as "campaign ID". */
export function uuidArgument(what: string, raw: string | undefined, helpCommand: string): string {
  if (raw === undefined) throw new Error(`missing ${what} (see "${helpCommand}")`);
  if (!UUID.test(raw)) throw new Error(`invalid ${what}: ${JSON.stringify(raw)} (expected a UUID such as 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d)`);
  return raw.toLowerCase();
}

/** Throws when more positional arguments were given than the command takes. */
export function assertPositionals(positionals: string[], max: number, helpCommand: string): void {
  if (positionals.length > max) throw new Error(`unexpected argument ${JSON.stringify(positionals[max])} (see "${helpCommand}")`);
}

/**
 * Formats rows as columns under a header, two spaces in from the margin. Columns
 * listed in `rightAligned` (by index) are padded on the left, for numbers.
 */
export function formatTable(header: string[], rows: string[][], rightAligned: number[] = []): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) =>
    `  ${row.map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd();
  return [format(header), ...rows.map(format)];
}

/** Formats a count with thousands separators, as a marketer reads it. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
