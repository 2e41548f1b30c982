/**
 * Projects, tags, subtasks, recurrence, manual order and completion time (issue 14):
 * - `projects` (name unique ignoring case through `name_key`, the JS-lowercased name);
 * - on `tasks`: `project_id` (→ projects, ON DELETE SET NULL), `parent_id` (→ tasks, ON DELETE
 *   CASCADE), `due_time`, `tags` (the task's tags in order and spelling, JSON text: what every
 *   read returns), `recurrence_rule`/`recurrence_from`, `position`, `completed_at`;
 * - `tags` (id = the JS-lowercased name, `name` = the first spelling) and `task_tags` (which
 *   task carries which tag, in order): what the tag filter and the tag list read.
 * Existing rows upgrade in place: position = the ms of created_at (so the old list order,
 * created_at then id, stays), completed_at = updated_at for done tasks, the rest empty.
 * The state machine computes the lowercased keys in JavaScript, never with SQL's LOWER().
 *
 * MariaDB does not roll DDL back: a node stopped (or a statement timed out) midway runs this
 * migration again from the start on its next start (umzug records it only once `up` returns).
 * So every statement is one that can run again: each DDL statement is atomic and skips what
 * exists (IF NOT EXISTS), and the UPDATE recomputes the same values from columns it does not
 * change (nothing else writes the tables before the migration is recorded).
 */
import type { QueryInterface } from 'sequelize';
import { CHARSET, COLLATION } from '../connection.js';

const TABLE_OPTIONS = `ENGINE=InnoDB DEFAULT CHARSET=${CHARSET} COLLATE=${COLLATION}`;

export const name = '0004-projects-tags-subtasks';

export async function up(queryInterface: QueryInterface): Promise<void> {
  const sql = (text: string) => queryInterface.sequelize.query(text);
  // toLowerCase may lengthen a name (İ becomes i + a combining dot): name_key is longer.
  await sql(
    'CREATE TABLE IF NOT EXISTS `projects` (' +
      ' `id` CHAR(36) NOT NULL,' +
      ' `name` VARCHAR(100) NOT NULL,' +
      ' `name_key` VARCHAR(200) NOT NULL,' +
      ' `color` CHAR(7) NULL,' +
      ' `position` DOUBLE NOT NULL,' +
      ' `version` INT UNSIGNED NOT NULL,' +
      ' `created_at` CHAR(24) NOT NULL,' +
      ' `updated_at` CHAR(24) NOT NULL,' +
      ' `raft_index` BIGINT UNSIGNED NOT NULL,' +
      ' PRIMARY KEY (`id`),' +
      ' UNIQUE KEY `projects_name_key` (`name_key`),' +
      ' KEY `projects_order` (`position`, `name`, `id`)' +
      `) ${TABLE_OPTIONS}`,
  );
  await sql(
    'ALTER TABLE `tasks`' +
      ' ADD COLUMN IF NOT EXISTS `due_time` CHAR(5) NULL AFTER `due_date`,' +
      ' ADD COLUMN IF NOT EXISTS `project_id` CHAR(36) NULL AFTER `due_time`,' +
      " ADD COLUMN IF NOT EXISTS `tags` TEXT NOT NULL DEFAULT '[]' AFTER `project_id`," +
      ' ADD COLUMN IF NOT EXISTS `parent_id` CHAR(36) NULL AFTER `tags`,' +
      ' ADD COLUMN IF NOT EXISTS `recurrence_rule` VARCHAR(500) NULL AFTER `parent_id`,' +
      " ADD COLUMN IF NOT EXISTS `recurrence_from` ENUM('due','completion') NULL" +
      ' AFTER `recurrence_rule`,' +
      ' ADD COLUMN IF NOT EXISTS `position` DOUBLE NOT NULL DEFAULT 0 AFTER `recurrence_from`,' +
      ' ADD COLUMN IF NOT EXISTS `completed_at` CHAR(24) NULL AFTER `position`',
  );
  // The ms of created_at (canonical `YYYY-MM-DDTHH:MM:SS.sssZ`), as JavaScript's Date.parse.
  // From created_at/updated_at/status only, which it does not change: the same when run again.
  await sql(
    'UPDATE `tasks` SET `position` = ' +
      "TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', " +
      "STR_TO_DATE(LEFT(`created_at`, 19), '%Y-%m-%dT%H:%i:%s')) * 1000 + " +
      'CAST(SUBSTRING(`created_at`, 21, 3) AS SIGNED),' +
      " `completed_at` = IF(`status` = 'done', `updated_at`, NULL)",
  );
  // One statement, indexes before the keys that use them (no extra index for the keys).
  await sql(
    'ALTER TABLE `tasks`' +
      ' ADD INDEX IF NOT EXISTS `tasks_project_status_position` (`project_id`, `status`, `position`),' +
      ' ADD INDEX IF NOT EXISTS `tasks_parent_position` (`parent_id`, `position`),' +
      ' ADD INDEX IF NOT EXISTS `tasks_position` (`position`, `created_at`, `id`),' +
      ' ADD CONSTRAINT `tasks_project_fk` FOREIGN KEY IF NOT EXISTS (`project_id`)' +
      ' REFERENCES `projects` (`id`) ON DELETE SET NULL,' +
      ' ADD CONSTRAINT `tasks_parent_fk` FOREIGN KEY IF NOT EXISTS (`parent_id`)' +
      ' REFERENCES `tasks` (`id`) ON DELETE CASCADE',
  );
  await sql(
    'CREATE TABLE IF NOT EXISTS `tags` (' +
      ' `id` VARCHAR(100) NOT NULL,' +
      ' `name` VARCHAR(40) NOT NULL,' +
      ' PRIMARY KEY (`id`)' +
      `) ${TABLE_OPTIONS}`,
  );
  await sql(
    'CREATE TABLE IF NOT EXISTS `task_tags` (' +
      ' `task_id` CHAR(36) NOT NULL,' +
      ' `tag_id` VARCHAR(100) NOT NULL,' +
      ' `position` SMALLINT UNSIGNED NOT NULL,' +
      ' PRIMARY KEY (`task_id`, `tag_id`),' +
      ' KEY `task_tags_tag` (`tag_id`, `task_id`),' +
      ' CONSTRAINT `task_tags_ibfk_1` FOREIGN KEY (`task_id`) REFERENCES `tasks` (`id`)' +
      ' ON DELETE CASCADE' +
      `) ${TABLE_OPTIONS}`,
  );
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  const sql = (text: string) => queryInterface.sequelize.query(text);
  await sql('DROP TABLE IF EXISTS `task_tags`');
  await sql('DROP TABLE IF EXISTS `tags`');
  await sql(
    'ALTER TABLE `tasks` DROP FOREIGN KEY IF EXISTS `tasks_project_fk`,' +
      ' DROP FOREIGN KEY IF EXISTS `tasks_parent_fk`',
  );
  await sql(
    'ALTER TABLE `tasks` DROP INDEX IF EXISTS `tasks_project_status_position`,' +
      ' DROP INDEX IF EXISTS `tasks_parent_position`, DROP INDEX IF EXISTS `tasks_position`,' +
      ' DROP COLUMN IF EXISTS `due_time`, DROP COLUMN IF EXISTS `project_id`,' +
      ' DROP COLUMN IF EXISTS `tags`, DROP COLUMN IF EXISTS `parent_id`,' +
      ' DROP COLUMN IF EXISTS `recurrence_rule`, DROP COLUMN IF EXISTS `recurrence_from`,' +
      ' DROP COLUMN IF EXISTS `position`, DROP COLUMN IF EXISTS `completed_at`',
  );
  await sql('DROP TABLE IF EXISTS `projects`');
}
