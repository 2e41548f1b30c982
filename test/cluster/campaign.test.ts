/**
 * The `campaign` control message (the supervisor's cold start, cluster/supervisor/
 * first-campaign.ts): the asked node starts an election at once instead of at the end of its
 * election timeout. The timeout here is 100 s, so a leader within the test's bound can only
 * come from the asked campaign; a node that knows a leader then refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from './harness/cluster.js';
import { writeClusterFiles } from './harness/config.js';
import { printNodeOutputOnFailure } from './harness/index.js';
import { useTestMariaDb } from '../support/mariadb.js';

const db = useTestMariaDb();
let cluster: Cluster | undefined;
printNodeOutputOnFailure(() => cluster);

beforeAll(async () => {
  const files = await writeClusterFiles({
    mysqlUrls: db.url,
    label: 'campaign',
    timers: { tickMs: 100, electionTicks: 1_000, heartbeatTicks: 2 },
  });
  cluster = new Cluster(files);
  await Promise.all(files.ids.map((id) => cluster!.start(id)));
});
afterAll(async () => {
  await cluster?.destroy();
});

describe('the campaign control message', () => {
  it('elects the asked node without waiting for its election timeout', async () => {
    const cl = cluster!;
    // A node without MySQL refuses (it would lead a cluster it cannot answer for): wait for it.
    await cl.waitFor(
      async () => (await cl.ipcStatus(2)).mysql.status === 'up',
      60_000,
      'n2 MySQL up',
    );
    const reply = await cl.campaign(2);
    expect(reply).toMatchObject({ ok: true });
    const leader = await cl.waitFor(
      async () => {
        const s = await cl.ipcStatus(1);
        return s.leaderId !== 0 ? s.leaderId : undefined;
      },
      30_000,
      'a leader known to n1',
    );
    expect(leader).toBe(2);
    expect(await cl.campaign(1)).toMatchObject({ ok: false, error: 'not campaigning: n2 leads' });
  });
});
