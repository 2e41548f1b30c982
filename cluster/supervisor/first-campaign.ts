/**
 * The first election of a start without the randomized wait. Every node starts as a follower
 * with no leader and would campaign only at the end of its randomized election timeout
 * (250–500 ms with the default timers, longer on a busy machine), so the supervisor asks one
 * node to campaign at once (the node's `campaign` control request) as soon as every member
 * listens and that node's MySQL is up.
 *
 * Only a shortcut: Raft decides the election. A node whose log is behind is refused its votes,
 * a node that knows a leader or has no MySQL refuses to campaign, and in every such case the
 * ordinary timeouts elect a leader as before.
 */
import type { ControlReply } from '../node/control.js';

export class FirstCampaign {
  private state: 'waiting' | 'asking' | 'done' = 'waiting';

  constructor(
    /** Sends `campaign` to node `id`. */
    private readonly ask: (id: number) => Promise<ControlReply>,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Asks the nodes `ids` (every member listens, their MySQL is up), in turn, until one starts
   * a campaign or says a leader exists; after that, and after `close`, it asks nobody again.
   */
  async offer(ids: readonly number[]): Promise<void> {
    if (this.state !== 'waiting' || ids.length === 0) return;
    this.state = 'asking';
    for (const id of ids) {
      const reply = await this.ask(id).catch((e: unknown) => ({
        type: 'reply' as const,
        id: 0,
        ok: false as const,
        error: (e as Error).message,
      }));
      if (reply.ok) {
        this.state = 'done';
        this.log(`asked n${id} to campaign at once`);
        return;
      }
      if (/ leads$/.test(reply.error)) {
        this.state = 'done';
        return;
      }
    }
    if (this.state === 'asking') this.state = 'waiting';
  }

  /** A leader is known (or the start ended): no campaign is asked for any more. */
  close(): void {
    this.state = 'done';
  }
}
