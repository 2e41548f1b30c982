/**
 * At start the supervisor asks one node to campaign at once (cluster/supervisor/first-campaign.ts):
 * it asks the offered nodes in turn until one campaigns, stops when one says a leader exists,
 * and asks nobody after that or after close().
 */
import { describe, expect, it } from 'vitest';
import type { ControlReply } from '../../cluster/node/control.js';
import { FirstCampaign } from '../../cluster/supervisor/first-campaign.js';

function campaignWith(answers: Record<number, string | undefined | Error>): {
  asked: number[];
  first: FirstCampaign;
} {
  const asked: number[] = [];
  const first = new FirstCampaign(
    (id) => {
      asked.push(id);
      const a = answers[id];
      if (a instanceof Error) return Promise.reject(a);
      const reply: ControlReply =
        a === undefined
          ? { type: 'reply', id, ok: true }
          : { type: 'reply', id, ok: false, error: a };
      return Promise.resolve(reply);
    },
    () => undefined,
  );
  return { asked, first };
}

describe('the first campaign of a start', () => {
  it('asks the next node when one refuses or fails, and stops at the first that campaigns', async () => {
    const { asked, first } = campaignWith({
      1: 'not campaigning: its MySQL is connecting',
      2: new Error('no reply'),
    });
    await first.offer([1, 2, 3, 4]);
    expect(asked).toEqual([1, 2, 3]);
    await first.offer([4]);
    expect(asked).toEqual([1, 2, 3]);
  });

  it('stops when a node knows a leader', async () => {
    const { asked, first } = campaignWith({ 1: 'not campaigning: n3 leads' });
    await first.offer([1, 2]);
    await first.offer([2]);
    expect(asked).toEqual([1]);
  });

  it('asks again on a later offer when every node refused, but not after close()', async () => {
    const { asked, first } = campaignWith({ 1: 'not campaigning: its MySQL is down' });
    await first.offer([1]);
    await first.offer([1]);
    expect(asked).toEqual([1, 1]);
    first.close();
    await first.offer([2]);
    expect(asked).toEqual([1, 1]);
  });
});
