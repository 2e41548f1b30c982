/**
 * A Raft node process: `node build/cluster/node/main.js --config node.json`.
 *
 * Runs standalone, or under a parent (the supervisor, a test) that talks to it over the IPC
 * channel (control.ts). Exit codes: 0 clean stop, 1 cannot run (corrupt WAL, port taken, disk
 * failure, a database or data dir of another cluster or node; the reason is the last stderr
 * line), 2 bad command line or config.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startApiServer, type ApiServer } from '../http/index.js';
import { createClientRouter } from './api/index.js';
import { ConfigError, loadNodeConfig, selfOf, type NodeConfig } from './config.js';
import type { ControlReply, ControlRequest, NodeToParent } from './control.js';
import {
  ArmedFailpoints,
  crashProcess,
  failpointName,
  parseFailpointSpec,
  type FailpointArm,
} from './failpoints.js';
import { createLogger, type Logger } from './log.js';
import { startNode } from './open-node.js';
import { loadOrCreateSecret } from './transport/index.js';

function send(msg: NodeToParent): void {
  if (process.send && process.connected) process.send(msg);
}

function readToken(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new ConfigError(`cannot read the token file ${path}: ${(e as Error).message}`);
  }
  if (token.length < 16)
    throw new ConfigError(`the token in ${path} is shorter than 16 characters`);
  return token;
}

async function run(
  config: NodeConfig,
  log: Logger,
  fatal: (e: unknown) => void,
  arms: readonly FailpointArm[],
): Promise<void> {
  const failpoints = new ArmedFailpoints((name) => crashProcess(name, log), arms);
  if (arms.length > 0)
    log.warn(`failpoints armed: ${arms.map((a) => `${a.name}@${a.at}`).join(', ')}`);
  const token = readToken(config.tokenFile);
  const secret = await loadOrCreateSecret(config.secretFile);
  const { node, transport } = await startNode({
    config,
    secret,
    token,
    log,
    emit: send,
    // A parent (the supervisor) draws the message flow; a node run by hand has nobody to tell.
    traceMessages: process.send !== undefined,
    // Its database is another cluster's, node's or log's: say so and exit (never apply to it).
    onFatal: fatal,
    failpoints,
  });
  let api: ApiServer;
  try {
    api = await startApiServer({
      host: config.listenHost,
      port: selfOf(config).clientPort,
      token,
      router: createClientRouter(node, { token, log: (m) => log.warn(m) }),
      log: (m) => log.error(m),
    });
  } catch (e) {
    await node.stop();
    throw e;
  }
  log.info(
    `listening: client API ${api.url}, Raft on ${config.listenHost}:${transport.inner.port}`,
  );
  send({ type: 'listening', id: config.id, clientUrl: api.url, raftPort: transport.inner.port });

  let stopping: Promise<void> | undefined;
  const shutdown = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info(`stopping (${why})`);
      await api.close();
      await node.stop();
      log.info('stopped');
    })());

  process.on('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit(0)));
  process.on('SIGINT', () => void shutdown('SIGINT').then(() => process.exit(0)));
  // The parent went away: a node must not outlive its supervisor by accident.
  process.on('disconnect', () => void shutdown('parent disconnected').then(() => process.exit(0)));
  process.on('message', (raw: unknown) => {
    const req = raw as ControlRequest;
    if (typeof req !== 'object' || req === null || typeof req.id !== 'number') return;
    const reply = (r: ControlReply): void => send(r);
    try {
      switch (req.type) {
        case 'status':
          reply({ type: 'reply', id: req.id, ok: true, status: node.status() });
          break;
        case 'faults':
          transport.setFaults(req.spec);
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        case 'freeze':
          node.freeze();
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        case 'thaw':
          node.thaw();
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        case 'clearFaults':
          transport.clearFaults();
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        case 'confChange':
          node.changeMembership(req.change).then(
            () => reply({ type: 'reply', id: req.id, ok: true }),
            (e: unknown) =>
              reply({ type: 'reply', id: req.id, ok: false, error: (e as Error).message }),
          );
          break;
        case 'campaign': {
          const refused = node.campaign();
          reply(
            refused === undefined
              ? { type: 'reply', id: req.id, ok: true }
              : { type: 'reply', id: req.id, ok: false, error: `not campaigning: ${refused}` },
          );
          break;
        }
        case 'transferLeadership':
          node.transferLeadership(req.to);
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        case 'failpoint': {
          const name = failpointName(String(req.name));
          const after = req.after ?? 0;
          if (!Number.isSafeInteger(after) || after < 0)
            throw new Error(`after must be a non-negative integer, got ${String(after)}`);
          failpoints.arm(name, after + 1);
          log.warn(`failpoint ${name} armed: crash at hit ${after + 1} from now`);
          reply({ type: 'reply', id: req.id, ok: true });
          break;
        }
        case 'shutdown':
          void shutdown('asked by the parent').then(() => {
            reply({ type: 'reply', id: req.id, ok: true });
            process.exit(0);
          });
          break;
        default:
          reply({
            type: 'reply',
            id: (req as { id: number }).id,
            ok: false,
            error: 'unknown request type',
          });
      }
    } catch (e) {
      reply({ type: 'reply', id: req.id, ok: false, error: (e as Error).message });
    }
  });
}

function main(): void {
  let configPath: string | undefined;
  try {
    const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
    configPath = values.config;
  } catch (e) {
    process.stderr.write(`raftboard node: ${(e as Error).message}\n`);
  }
  if (configPath === undefined) {
    process.stderr.write('usage: node build/cluster/node/main.js --config node.json\n');
    process.exit(2);
  }
  let config: NodeConfig;
  try {
    config = loadNodeConfig(configPath);
  } catch (e) {
    process.stderr.write(`raftboard node: ${(e as Error).message}\n`);
    process.exit(2);
  }
  let arms: FailpointArm[];
  try {
    arms = parseFailpointSpec(process.env.RAFTBOARD_FAILPOINTS ?? '');
  } catch (e) {
    process.stderr.write(`raftboard node: RAFTBOARD_FAILPOINTS: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.id, config.logLevel);
  const fatal = (e: unknown): void => {
    const message = e instanceof Error ? e.message : String(e);
    log.error(`cannot continue: ${message}`);
    if (e instanceof Error && !(e instanceof ConfigError) && e.stack) log.debug(e.stack);
    send({ type: 'fatal', id: config.id, message });
    // Give the IPC message and stderr a moment to leave.
    setTimeout(() => process.exit(e instanceof ConfigError ? 2 : 1), 50);
  };
  // A failed WAL write or a broken invariant leaves no safe way on: stop and say why.
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  run(config, log, fatal, arms).catch(fatal);
}

main();
