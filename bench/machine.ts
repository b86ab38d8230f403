import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The machine a benchmark ran on, printed with its figures. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** Hard limit on open files per process, which bounds the sockets of one process, or null when unlimited. */
  openFilesHardLimit: number | null;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  const hardLimit = openFilesHardLimit();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    openFilesHardLimit: Number.isFinite(hardLimit) ? hardLimit : null,
  };
}

/**
 * Returns the hard limit on open files (RLIMIT_NOFILE) that child processes inherit,
 * or Infinity when it is unlimited. Node raises its own soft limit to the hard limit
 * when it starts (seen with Node 20 on Linux), so the hard limit is the number of
 * sockets and files that one Node process can hold.
 */
export function openFilesHardLimit(): number {
  const text = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  if (text === 'unlimited') return Infinity;

  const limit = Number(text);
  if (!Number.isInteger(limit) || limit <= 0) throw new Error(`unexpected output of "ulimit -Hn": ${JSON.stringify(text)} (expected a positive integer or "unlimited")`);
  return limit;
}
