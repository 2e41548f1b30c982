/**
 * "Do this on the leader": run it here when this node leads, otherwise forward the request to
 * the leader (waiting up to requestTimeoutMs for one to be known). Used by every write and by
 * `consistency=leader` reads.
 */
import type { RouteContext } from '../../http/index.js';
import type { NodeService } from '../service.js';
import { NotLeaderError } from '../service.js';
import { noLeader } from './errors.js';
import { forwardToLeader, isForwarded, sendRelayed } from './forward.js';

export interface AtLeaderOptions {
  readonly token: string;
  readonly log?: ((msg: string) => void) | undefined;
  /** The body to forward (JSON unless contentType says otherwise); undefined for a GET. */
  readonly body: string | Buffer | undefined;
  readonly contentType?: string | undefined;
  /** How long the leader may take (default: its request timeout); an import takes longer. */
  readonly timeoutMs?: number | undefined;
  /** Serves the request on this node (as the leader) and sends the answer. */
  readonly local: () => Promise<void>;
}

/** A little over the leader's own deadline, so its 503 arrives before our fetch gives up. */
const FORWARD_SLACK_MS = 1000;

export async function atLeader(
  service: NodeService,
  ctx: RouteContext,
  opts: AtLeaderOptions,
): Promise<void> {
  // Two rounds at most: leadership may be lost between isLeader() and the proposal (the Raft
  // loop then rejects with NotLeaderError, having proposed nothing that can commit), and the
  // second round forwards to whoever leads now. A third would only chase a flapping cluster.
  for (let round = 1; ; round++) {
    if (!service.isLeader()) {
      const leaderUrl = await findLeader(service, ctx);
      // The wait may have ended with this node elected: then serve it here.
      if (!service.isLeader()) {
        const relayed = await forwardToLeader(ctx.req, {
          leaderUrl,
          body: opts.body,
          contentType: opts.contentType,
          token: opts.token,
          timeoutMs: (opts.timeoutMs ?? service.requestTimeoutMs) + FORWARD_SLACK_MS,
          from: service.id,
          log: opts.log,
        });
        sendRelayed(ctx.res, relayed);
        return;
      }
    }
    try {
      await opts.local();
      return;
    } catch (e) {
      if (e instanceof NotLeaderError && round === 1) continue;
      throw e;
    }
  }
}

async function findLeader(service: NodeService, ctx: RouteContext): Promise<string> {
  if (isForwarded(ctx.req)) {
    // Another node thought we lead; we do not. Forwarding again could loop between stale views.
    throw noLeader(
      `node ${service.id} received a forwarded request but is not the leader; ` +
        'leadership is changing: retry',
    );
  }
  const known = service.leaderClientUrl();
  if (known !== undefined) return known;
  const waited = await service.waitForLeader(service.requestTimeoutMs);
  if (waited === undefined) {
    throw noLeader(
      `no leader is known after ${service.requestTimeoutMs} ms (an election is under way or no ` +
        'quorum is reachable); retry',
    );
  }
  return waited;
}
