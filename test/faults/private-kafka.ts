import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A single-node KRaft broker that one test owns: its own storage under /var/tmp, its
 * own ports on 127.0.0.1, and a JVM that the test can stop and start again on the
 * same storage. It runs the Kafka version and settings of scripts/services/start.sh,
 * which cannot start Kafka without PostgreSQL, so this file launches the JVM itself.
 */
export interface PrivateKafka {
  /** Bootstrap address, e.g. `127.0.0.1:31100`. */
  readonly brokers: string[];
  /** True while the broker JVM runs. */
  readonly running: boolean;
  /** Starts the broker on the existing storage and resolves once it lists its topics. */
  start(): Promise<void>;
  /** Sends SIGTERM to the JVM and resolves once it exited, with SIGKILL after `stopTimeoutMs`. */
  stop(): Promise<void>;
  /** Stops the broker and deletes its storage. Safe to call twice. */
  destroy(): Promise<void>;
  /** Returns the last lines of the broker's server.log, for failure messages. */
  logTail(lines?: number): string;
}

export interface PrivateKafkaOptions {
  /** PLAINTEXT listener port. The KRaft controller listens on the next port. Default 31100. */
  port?: number;
  /** Time in ms that start waits for the broker to list its topics. Default 60 s. */
  startTimeoutMs?: number;
  /** Time in ms that stop waits after SIGTERM before it sends SIGKILL. Default 30 s. */
  stopTimeoutMs?: number;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVICES_KAFKA_DIR = path.join(REPO_ROOT, 'scripts', 'services', 'kafka');
const KAFKA_POM = path.join(SERVICES_KAFKA_DIR, 'pom.xml');
const STATE_ROOT = '/var/tmp';
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

/** Starts a fresh broker. The caller must call `destroy()`, also when a test fails. */
export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const port = options.port ?? 31100;
  const controllerPort = port + 1;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  for (const candidate of [port, controllerPort]) {
    if (await isListening(candidate)) {
      throw new Error(`port 127.0.0.1:${candidate} is already in use; pass a free port to startPrivateKafka`);
    }
  }

  const libs = await resolveKafkaLibs();
  const stateDir = await mkdtemp(path.join(STATE_ROOT, 'cloudburst-private-kafka-'));
  const dataDir = path.join(stateDir, 'data');
  const logDir = path.join(stateDir, 'logs');
  const configFile = path.join(stateDir, 'server.properties');
  try {
    await mkdir(logDir, { recursive: true });
    await writeFile(configFile, serverProperties(port, controllerPort, dataDir));
    formatStorage(libs, configFile, logDir);
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  let jvm: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let destroyed = false;
  const brokers = [`127.0.0.1:${port}`];
  // A broker must not outlive the test process, even when afterAll never runs.
  const killOnExit = () => jvm?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async () => {
    if (jvm) return;
    const child = spawn(
      JAVA,
      [
        '-Xms256m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${path.join(SERVICES_KAFKA_DIR, 'log4j.properties')}`,
        `-Dkafka.logs.dir=${logDir}`,
        '-cp',
        `${libs}/*`,
        'kafka.Kafka',
        configFile,
      ],
      { stdio: 'ignore' },
    );
    jvm = child;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => {
      if (jvm === child) jvm = undefined;
    });
    try {
      await waitUntilReady(brokers, startTimeoutMs, () => jvm === child);
    } catch (error) {
      await terminate();
      throw new Error(`${(error as Error).message}\nlast lines of ${logDir}/server.log:\n${tail(logDir, 30)}`);
    }
  };

  const terminate = async () => {
    const child = jvm;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  return {
    brokers,
    get running() {
      return jvm !== undefined;
    },
    start: async () => {
      if (destroyed) throw new Error('the private Kafka broker was destroyed; start a new one');
      await launch();
    },
    stop: terminate,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await terminate();
      process.removeListener('exit', killOnExit);
      await rm(stateDir, { recursive: true, force: true });
    },
    logTail: (lines = 30) => tail(logDir, lines),
  };
}

/** Returns the broker settings of scripts/services/start.sh with the given ports and data directory. */
function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

/**
 * Formats the KRaft storage with a new cluster id: 16 random bytes in base64url, as
 * `StorageTool random-uuid` prints. It skips ids that start with '-', because
 * StorageTool's argument parser (Kafka 3.9.1) reads them as an option and exits.
 */
function formatStorage(libs: string, configFile: string, logDir: string): void {
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const result = spawnSync(
    JAVA,
    [
      '-Xmx256m',
      `-Dlog4j.configuration=file:${path.join(SERVICES_KAFKA_DIR, 'tools-log4j.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      configFile,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(`formatting the Kafka storage failed (exit ${result.status}, log dir ${logDir}): ${result.error?.message ?? ''}${result.stderr}${result.stdout}`);
  }
}

/**
 * Returns a folder with the broker's runtime jars, copied by Maven from the pom.xml of
 * scripts/services once per pom checksum. CLOUDBURST_KAFKA_LIBS names a ready folder instead.
 */
async function resolveKafkaLibs(): Promise<string> {
  if (process.env.CLOUDBURST_KAFKA_LIBS) return process.env.CLOUDBURST_KAFKA_LIBS;

  const checksum = createHash('sha256').update(readFileSync(KAFKA_POM)).digest('hex').slice(0, 16);
  const libs = path.join(STATE_ROOT, `cloudburst-kafka-libs-${checksum}`);
  if (existsSync(libs)) return libs;

  const partial = `${libs}.partial-${process.pid}`;
  const copyArgs = ['-B', '-ntp', '-q', '-f', KAFKA_POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`];
  // Offline first, because start.sh has usually cached the jars in the Maven repository.
  let result = spawnSync('mvn', ['-o', ...copyArgs], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) result = spawnSync('mvn', copyArgs, { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0 || (await readdir(partial).catch(() => [])).length === 0) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`Maven could not copy the Kafka jars listed in ${KAFKA_POM} (exit ${result.status}): ${result.error?.message ?? ''}${result.stdout}${result.stderr}`);
  }
  await rename(partial, libs).catch(async (error: NodeJS.ErrnoException) => {
    // Another test process finished the same copy first.
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(libs)) throw error;
  });
  return libs;
}

/** Polls until an admin client lists the broker's topics, the JVM exits or the time is up. */
async function waitUntilReady(brokers: string[], timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({ clientId: 'private-kafka-ready', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1_000 });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the Kafka broker on ${brokers.join(',')} exited during startup`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms: the Kafka broker on ${brokers.join(',')} did not list its topics (last error: ${String(lastError)})`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(logDir: string, lines: number): string {
  try {
    return readFileSync(path.join(logDir, 'server.log'), 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no server.log)';
  }
}
