import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDeadline } from './deadline.js';
import type { SwarmCommand, SwarmReport, SwarmTotals } from './swarm-protocol.js';

/** Time the swarm processes get to close their sockets and report, above their own 5 s close timeout. */
const CLOSE_TIMEOUT_MS = 15_000;

const WORKER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'swarm-worker.ts');

type ReportOf<T extends SwarmReport['type']> = Extract<SwarmReport, { type: T }>;

interface Member {
  child: ChildProcess;
  exited: Promise<void>;
  /** Counters of the latest report, kept for the summary if the process fails later. */
  totals: SwarmTotals | undefined;
  waiting: { type: SwarmReport['type']; resolve: (report: SwarmReport) => void; reject: (error: Error) => void } | undefined;
}

/**
 * The device swarm of bench/ingest.ts: child processes running swarm-worker.ts,
 * each with its own event loop and its own limit on open files. The children run
 * with this process's Node options, so under tsx they load TypeScript too.
 */
export class Swarm {
  private readonly members: Member[];
  private closing: Promise<Array<ReportOf<'closed'>>> | undefined;

  constructor(processes: number) {
    this.members = Array.from({ length: processes }, () => {
      const child = fork(WORKER_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const member: Member = { child, exited: new Promise((resolve) => child.once('exit', () => resolve())), totals: undefined, waiting: undefined };

      child.on('message', (report: SwarmReport) => this.receive(member, report));
      void member.exited.then(() => {
        member.waiting?.reject(new Error(`swarm process ${child.pid} exited with ${child.exitCode ?? child.signalCode} before its ${member.waiting.type} report`));
        member.waiting = undefined;
      });
      return member;
    });
  }

  get size(): number {
    return this.members.length;
  }

  /** Counters of each process's latest report. */
  get totals(): SwarmTotals[] {
    return this.members.flatMap((member) => (member.totals ? [member.totals] : []));
  }

  /**
   * Sends `commands[i]` to process i and resolves with every process's report of
   * `type`. Rejects when a process fails or exits first, or after `timeoutMs`.
   */
  run<T extends SwarmReport['type']>(commands: SwarmCommand[], type: T, timeoutMs: number, signal?: AbortSignal): Promise<Array<ReportOf<T>>> {
    const reports = this.members.map((member, i) => {
      const report = new Promise<SwarmReport>((resolve, reject) => (member.waiting = { type, resolve, reject }));
      member.child.send(commands[i]!);
      return report as Promise<ReportOf<T>>;
    });
    return withDeadline(Promise.all(reports), `${type} reports of ${this.members.length} swarm processes`, timeoutMs, signal);
  }

  /**
   * Asks every process to close its sockets and exit, and returns the final reports
   * that arrived. Processes that do not exit in time are killed. Safe to call twice.
   */
  close(): Promise<Array<ReportOf<'closed'>>> {
    this.closing ??= Promise.all(this.members.map((member) => this.closeMember(member))).then((reports) =>
      reports.filter((report): report is ReportOf<'closed'> => report !== undefined),
    );
    return this.closing;
  }

  private async closeMember(member: Member): Promise<ReportOf<'closed'> | undefined> {
    const { child } = member;
    let report: ReportOf<'closed'> | undefined;
    if (child.connected) {
      const closed = new Promise<SwarmReport>((resolve, reject) => (member.waiting = { type: 'closed', resolve, reject }));
      child.send({ type: 'close' } satisfies SwarmCommand);
      report = (await withDeadline(closed, `swarm process ${child.pid} to close`, CLOSE_TIMEOUT_MS).catch((error: Error) => {
        console.error(error.message);
        return undefined;
      })) as ReportOf<'closed'> | undefined;
    }

    const exitedInTime = await withDeadline(member.exited, `swarm process ${child.pid} to exit`, CLOSE_TIMEOUT_MS).then(
      () => true,
      () => false,
    );
    if (!exitedInTime) {
      console.error(`swarm process ${child.pid} did not exit within ${CLOSE_TIMEOUT_MS} ms; killing it`);
      child.kill('SIGKILL');
      await member.exited;
    }
    return report;
  }

  private receive(member: Member, report: SwarmReport): void {
    if (report.type === 'failed') {
      member.waiting?.reject(new Error(`swarm process ${member.child.pid} failed: ${report.message}`));
      member.waiting = undefined;
      return;
    }

    member.totals = { acked: report.acked, rejected: report.rejected, errors: report.errors };
    if (member.waiting?.type === report.type) {
      member.waiting.resolve(report);
      member.waiting = undefined;
    }
  }
}
