/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from the
 * TypeScript sources under vitest and from the compiled JavaScript in build/. Append only:
 * never edit or reorder a migration that has shipped.
 */
import type { QueryInterface } from 'sequelize';
import * as initialSchema from './0001-initial-schema.js';
import * as clusterIdentity from './0002-cluster-identity.js';
import * as idempotencyFingerprint from './0003-idempotency-fingerprint.js';
import * as projectsTagsSubtasks from './0004-projects-tags-subtasks.js';

export interface Migration {
  readonly name: string;
  up(queryInterface: QueryInterface): Promise<void>;
  down(queryInterface: QueryInterface): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  clusterIdentity,
  idempotencyFingerprint,
  projectsTagsSubtasks,
];
