/**
 * Fault kinds the node-driver tests leave out while the node-layer bugs they expose are open
 * (the CLI sweep, `npm run sim -- --driver node`, keeps every fault unless told `--skip`). A seed
 * reproducing each with the CLI's defaults (`npm run sim -- --driver node --seed N --trace`):
 * - freeze: an in-process frozen leader keeps answering lease reads from its frozen view
 *   (seed 27);
 * - diskEio: a failed fsync reached from a read's ReadIndex escapes to the caller and leaves the
 *   node running with its Ready loop wedged (seed 708);
 * - membership, bitflip (its repair is a membership change): a node that installs a snapshot
 *   keeps its old membership, which its own snapshots then record (seed 16); a node's transport
 *   dials only the members of its own configuration, stale for a new member and after a restart
 *   (conf entries above the persisted commit), so a learner never catches up or no leader can
 *   be elected (seeds 9, 170, 250).
 */
export const OPEN_BUG_FAULTS: readonly string[] = ['freeze', 'diskEio', 'membership', 'bitflip'];
