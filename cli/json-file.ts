import { readFile } from 'node:fs/promises';

/**
 * Reads FILE as one JSON object, such as a campaign definition or a menu. Errors name FILE and
 * end with `expected`, an example of what the command takes.
 */
export async function readJsonObjectFile(file: string, expected: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`invalid FILE: cannot read ${file} (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid FILE: ${file} is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`invalid FILE: ${file} does not contain a JSON object (expected ${expected})`);
  }
  return parsed as Record<string, unknown>;
}
