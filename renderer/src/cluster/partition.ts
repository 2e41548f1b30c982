/** Between the editor's "node → group letter" and the API's list of groups. */
export const GROUPS = ['A', 'B', 'C'] as const;
export type Group = (typeof GROUPS)[number];

export function groupsFromPartitions(
  nodeIds: readonly number[],
  partitions: readonly (readonly number[])[],
): Record<number, Group> {
  const out: Record<number, Group> = {};
  for (const id of nodeIds) {
    const i = partitions.findIndex((p) => p.includes(id));
    out[id] = GROUPS[i] ?? 'A';
  }
  return out;
}

export function partitionsFromGroups(assigned: Readonly<Record<number, Group>>): number[][] {
  return GROUPS.map((g) =>
    Object.entries(assigned)
      .filter(([, v]) => v === g)
      .map(([id]) => Number(id))
      .sort((a, b) => a - b),
  ).filter((p) => p.length > 0);
}

export function describePartitions(partitions: readonly (readonly number[])[]): string {
  if (partitions.length <= 1) return 'no partition: every node reaches every other';
  return partitions.map((p) => `{${p.join(', ')}}`).join(' | ');
}
