/**
 * Client writes built exactly as the HTTP layer builds them (cluster/node/api/routes.ts): the
 * Idempotency-Key's session carries the request fingerprint, and the command comes from the same
 * helpers (commands.ts). Only the two things those helpers draw from the machine — the task id
 * (randomUUID) and the timestamp (Date) — are replaced with seeded and virtual ones, per attempt,
 * as a retried HTTP request gets a new id and timestamp under the same key.
 */
import type { CreateTaskBody, PatchTaskBody } from '../../api/schemas.js';
import type { SessionRef, TaskCommand, TaskInput, TaskPatch } from '../../api/task.js';
import { createCommand, deleteCommand, updateCommand } from '../../node/api/commands.js';
import { requestFingerprint } from '../../node/api/fingerprint.js';
import type { SimRng } from '../rng.js';

export type WriteSpec =
  | { readonly f: 'create'; readonly body: CreateTaskBody; readonly input: TaskInput }
  | {
      readonly f: 'update';
      readonly id: string;
      readonly body: PatchTaskBody;
      readonly patch: TaskPatch;
      readonly expectedVersion?: number;
    }
  | { readonly f: 'delete'; readonly id: string; readonly expectedVersion?: number };

/** The session of a keyed request: key and fingerprint, as routes.ts's sessionFor. */
export function sessionOf(key: string, spec: WriteSpec): SessionRef {
  switch (spec.f) {
    case 'create':
      return {
        key,
        fingerprint: requestFingerprint({
          method: 'POST',
          target: '/tasks',
          body: spec.body,
          ifMatch: undefined,
        }),
      };
    case 'update':
      return {
        key,
        fingerprint: requestFingerprint({
          method: 'PATCH',
          target: `/tasks/${spec.id}`,
          body: spec.body,
          ifMatch: undefined,
        }),
      };
    case 'delete':
      return {
        key,
        fingerprint: requestFingerprint({
          method: 'DELETE',
          target: `/tasks/${spec.id}`,
          body: spec.expectedVersion === undefined ? {} : { expectedVersion: spec.expectedVersion },
          ifMatch: undefined,
        }),
      };
  }
}

/** A version-4 UUID from the seeded stream. */
export function seededUuid(rng: SimRng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + rng.int(4)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** One attempt's command: the helpers' output with a seeded id and the virtual time. */
export function buildCommand(
  spec: WriteSpec,
  session: SessionRef,
  at: string,
  rng: SimRng,
): TaskCommand {
  switch (spec.f) {
    case 'create': {
      const cmd = createCommand(spec.body, session);
      if (cmd.op !== 'create') throw new Error('createCommand built no create');
      // Id and default position from the seed and the virtual clock: a run replays exactly.
      const position = spec.body.position ?? Date.parse(at);
      return { ...cmd, task: { ...cmd.task, id: seededUuid(rng), position }, at };
    }
    case 'update':
      return { ...updateCommand(spec.id, spec.body, spec.expectedVersion, session), at };
    case 'delete':
      return { ...deleteCommand(spec.id, spec.expectedVersion, session), at };
  }
}
