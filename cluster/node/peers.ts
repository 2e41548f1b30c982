/**
 * Where every member listens. The config names the initial members; a node added later arrives
 * in its `addLearner` entry's context, and is remembered in `<dataDir>/peers.json` because a
 * snapshot keeps the membership's ids but not their addresses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { NodeId } from '../raft/index.js';
import type { PeerConfig } from './config.js';
import type { PeerAddressConfig } from './control.js';

const FILE = 'peers.json';

const addressSchema = z.strictObject({
  host: z.string().min(1),
  raftPort: z.number().int().min(1).max(65_535),
  clientPort: z.number().int().min(1).max(65_535),
});
const fileSchema = z.record(z.string().regex(/^\d+$/), addressSchema);

export class PeerRegistry {
  private readonly addresses = new Map<NodeId, PeerAddressConfig>();

  constructor(
    configured: readonly PeerConfig[],
    /** Where peers.json lives; undefined keeps learned addresses in memory only (simulation). */
    private readonly dataDir: string | undefined,
    private readonly warn: (msg: string) => void,
  ) {
    for (const [id, a] of this.readFile()) this.addresses.set(id, a);
    // The config wins over what was learned: it is what the operator says now.
    for (const p of configured)
      this.addresses.set(p.id, { host: p.host, raftPort: p.raftPort, clientPort: p.clientPort });
  }

  get(id: NodeId): PeerAddressConfig | undefined {
    return this.addresses.get(id);
  }

  clientUrl(id: NodeId): string | undefined {
    const a = this.addresses.get(id);
    return a === undefined ? undefined : `http://${a.host}:${a.clientPort}`;
  }

  /** Parses an `addLearner` context; undefined (and a warning) when it is not an address. */
  static parseContext(context: string | undefined): PeerAddressConfig | undefined {
    if (context === undefined || context === '') return undefined;
    try {
      const parsed = addressSchema.safeParse(JSON.parse(context));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records a member's address (from a committed `addLearner`), durably. */
  learn(id: NodeId, address: PeerAddressConfig): void {
    const known = this.addresses.get(id);
    if (
      known &&
      known.host === address.host &&
      known.raftPort === address.raftPort &&
      known.clientPort === address.clientPort
    )
      return;
    this.addresses.set(id, address);
    if (this.dataDir === undefined) return;
    try {
      const tmp = path.join(this.dataDir, `${FILE}.tmp`);
      fs.mkdirSync(this.dataDir, { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.addresses), null, 2));
      fs.renameSync(tmp, path.join(this.dataDir, FILE));
    } catch (e) {
      this.warn(`could not save ${FILE}: ${(e as Error).message}`);
    }
  }

  private readFile(): [NodeId, PeerAddressConfig][] {
    if (this.dataDir === undefined) return [];
    const file = path.join(this.dataDir, FILE);
    if (!fs.existsSync(file)) return [];
    try {
      const parsed = fileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
      return Object.entries(parsed).map(([id, a]) => [Number(id), a]);
    } catch (e) {
      this.warn(`ignoring ${file}: ${(e as Error).message}`);
      return [];
    }
  }
}
