import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const TOKEN_FILE = 'admin-token';
/** 32 random bytes: 256 bits, far beyond guessing. */
const TOKEN_BYTES = 32;

/**
 * Returns the admin token: the configured one, else the one kept in
 * `dataDir/admin-token`, else a new random one written there (mode 0600) so it
 * survives restarts.
 */
export async function resolveAdminToken(dataDir: string, configured?: string): Promise<string> {
  if (configured) return configured;

  const file = path.join(dataDir, TOKEN_FILE);
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (kept.length > 0) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }

  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
