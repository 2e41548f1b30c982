/**
 * Network faults as the supervisor keeps them: one table for the whole cluster, installed on
 * every node (each node's transport applies the part that concerns it, see
 * cluster/node/transport/faults.ts). Validated here so a bad request changes nothing anywhere.
 */
import { z } from 'zod';
import type { NetworkBody, NetworkFaults } from '../api/control.js';
import { SupervisorError } from './errors.js';

const nodeId = z.number().int().min(1);

export const networkBodySchema = z
  .strictObject({
    partitions: z.array(z.array(nodeId).min(1)).max(9).optional(),
    links: z
      .array(
        z.strictObject({
          from: nodeId,
          to: nodeId,
          drop: z.number().min(0).max(1).optional(),
          delayMs: z.number().int().min(0).max(60_000).optional(),
        }),
      )
      .max(100)
      .optional(),
  })
  .refine((b) => b.partitions !== undefined || b.links !== undefined, {
    message: 'give "partitions" and/or "links"',
  });

export const HEALED: NetworkFaults = { partitions: [], links: [] };

/**
 * The faults after applying `body` to `current`: the parts given replace the current ones, the
 * others stay. Throws SupervisorError('invalid') naming the problem.
 */
export function applyNetworkBody(
  current: NetworkFaults,
  raw: unknown,
  members: readonly number[],
): NetworkFaults {
  const parsed = networkBodySchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
      .join('; ');
    throw new SupervisorError('invalid', `invalid network faults: ${why}`);
  }
  const body: NetworkBody = parsed.data;
  const known = new Set(members);
  const check = (id: number, where: string): void => {
    if (!known.has(id)) {
      throw new SupervisorError(
        'invalid',
        `${where}: there is no node ${id} (nodes: ${members.join(', ')})`,
      );
    }
  };
  if (body.partitions !== undefined) {
    const seen = new Set<number>();
    for (const [g, group] of body.partitions.entries()) {
      for (const id of group) {
        check(id, `partitions[${g}]`);
        if (seen.has(id))
          throw new SupervisorError('invalid', `node ${id} is in two partition groups`);
        seen.add(id);
      }
    }
  }
  for (const [i, link] of (body.links ?? []).entries()) {
    check(link.from, `links[${i}].from`);
    check(link.to, `links[${i}].to`);
    if (link.from === link.to)
      throw new SupervisorError('invalid', `links[${i}]: from and to are the same node`);
  }
  return {
    partitions: body.partitions ?? current.partitions,
    links: body.links ?? current.links,
  };
}

export function isHealed(faults: NetworkFaults): boolean {
  return faults.partitions.length === 0 && faults.links.length === 0;
}

/** A one-line description for events and progress lines. */
export function describeFaults(faults: NetworkFaults): string {
  if (isHealed(faults)) return 'healed';
  const parts: string[] = [];
  if (faults.partitions.length > 0) {
    parts.push(`partitions ${faults.partitions.map((g) => `{${g.join(',')}}`).join(' | ')}`);
  }
  for (const l of faults.links) {
    parts.push(`link ${l.from}->${l.to} drop ${l.drop ?? 0} delay ${l.delayMs ?? 0}ms`);
  }
  return parts.join('; ');
}
