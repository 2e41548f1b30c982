/**
 * The statements of a paged restore (TaskStateMachine.restoreFromFile), run inside the caller's
 * one transaction: lock raft_meta, empty the state, then each page as multi-row upserts, then
 * the applied index. Memory is one page, whatever the snapshot's size.
 *
 * Two differences from the whole-document restore, both giving the same rows:
 * - Tasks come by id, so a subtask may come before its parent. Foreign-key checks are off for
 *   the inserts (this session only, restored in `finally` before the transaction ends): the rows
 *   are those of a database that enforced the keys, as the snapshot's digest proves.
 * - The tags table is derived as before (the first spelling, in id order, of each tag key), by
 *   an insert that keeps the existing row on a duplicate key instead of a map of every tag.
 */
import { tagKey } from './command.js';
import { StateMachineError } from './errors.js';
import type { SnapshotCounts, SnapshotPage, SnapshotTrailer } from './snapshot-v4.js';
import * as sql from './sql/statements.js';

/** Tag rows per statement (a page's tasks may carry many), as sql/statements.ts bounds them. */
const TAG_ROWS = 500;

export async function restorePages(
  query: (statement: string) => Promise<void>,
  esc: sql.Esc,
  expected: { readonly index: number; readonly term: number },
  pages: AsyncGenerator<SnapshotPage, SnapshotTrailer>,
): Promise<SnapshotCounts> {
  await query(sql.LOCK_META);
  for (const statement of sql.EMPTY_STATE) await query(statement);
  await query('SET SESSION foreign_key_checks = 0');
  try {
    let sessionClock: string | undefined;
    for (;;) {
      const next = await pages.next();
      if (next.done === true) {
        if (sessionClock === undefined) throw new StateMachineError('snapshot has no header');
        await query(sql.updateMeta(esc, expected.index, expected.term, sessionClock));
        return next.value;
      }
      const page = next.value;
      if (page.kind === 'header') {
        const { index, term } = page.header;
        if (index !== expected.index || term !== expected.term) {
          throw new StateMachineError(
            `snapshot is at ${index}/${term}, not the ${expected.index}/${expected.term} ` +
              'it was restored as',
          );
        }
        sessionClock = page.header.sessionClock;
      } else if (page.kind === 'projects') {
        for (const s of sql.upsertProjects(esc, page.items, [])) await query(s);
      } else if (page.kind === 'tasks') {
        for (const s of sql.upsertTasks(esc, page.items)) await query(s);
        const tags = new Map<string, string>();
        for (const task of page.items) {
          for (const tag of task.tags) if (!tags.has(tagKey(tag))) tags.set(tagKey(tag), tag);
        }
        const rows = [...tags].map(([id, name]) => `(${esc(id)},${esc(name)})`);
        for (let at = 0; at < rows.length; at += TAG_ROWS) {
          await query(
            `INSERT INTO ${sql.TAGS} (\`id\`,\`name\`) VALUES ` +
              rows.slice(at, at + TAG_ROWS).join(',') +
              ' ON DUPLICATE KEY UPDATE `name` = `name`',
          );
        }
        for (const s of sql.replaceTaskTags(esc, page.items)) {
          if (!s.startsWith('DELETE')) await query(s);
        }
      } else {
        for (const s of sql.upsertSessions(esc, page.items)) await query(s);
      }
    }
  } finally {
    await query('SET SESSION foreign_key_checks = 1');
  }
}
