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
 */
import { DataTypes, type QueryInterface } from 'sequelize';
import { CHARSET, COLLATION } from '../connection.js';

const TABLE_OPTIONS = { engine: 'InnoDB', charset: CHARSET, collate: COLLATION } as const;

export const name = '0004-projects-tags-subtasks';

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.createTable(
    'projects',
    {
      id: { type: DataTypes.CHAR(36), primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING(100), allowNull: false },
      // toLowerCase may lengthen a name (İ becomes i + a combining dot).
      name_key: { type: DataTypes.STRING(200), allowNull: false },
      color: { type: DataTypes.CHAR(7), allowNull: true },
      position: { type: DataTypes.DOUBLE, allowNull: false },
      version: { type: DataTypes.INTEGER.UNSIGNED, allowNull: false },
      created_at: { type: DataTypes.CHAR(24), allowNull: false },
      updated_at: { type: DataTypes.CHAR(24), allowNull: false },
      raft_index: { type: DataTypes.BIGINT.UNSIGNED, allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.addIndex('projects', ['name_key'], {
    name: 'projects_name_key',
    unique: true,
  });
  await queryInterface.addIndex('projects', ['position', 'name', 'id'], {
    name: 'projects_order',
  });

  const sql = (text: string) => queryInterface.sequelize.query(text);
  await sql(
    'ALTER TABLE `tasks`' +
      ' ADD COLUMN `due_time` CHAR(5) NULL AFTER `due_date`,' +
      ' ADD COLUMN `project_id` CHAR(36) NULL AFTER `due_time`,' +
      " ADD COLUMN `tags` TEXT NOT NULL DEFAULT '[]' AFTER `project_id`," +
      ' ADD COLUMN `parent_id` CHAR(36) NULL AFTER `tags`,' +
      ' ADD COLUMN `recurrence_rule` VARCHAR(500) NULL AFTER `parent_id`,' +
      " ADD COLUMN `recurrence_from` ENUM('due','completion') NULL AFTER `recurrence_rule`," +
      ' ADD COLUMN `position` DOUBLE NOT NULL DEFAULT 0 AFTER `recurrence_from`,' +
      ' ADD COLUMN `completed_at` CHAR(24) NULL AFTER `position`',
  );
  // The ms of created_at (canonical `YYYY-MM-DDTHH:MM:SS.sssZ`), as JavaScript's Date.parse.
  await sql(
    'UPDATE `tasks` SET `position` = ' +
      "TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', " +
      "STR_TO_DATE(LEFT(`created_at`, 19), '%Y-%m-%dT%H:%i:%s')) * 1000 + " +
      'CAST(SUBSTRING(`created_at`, 21, 3) AS SIGNED),' +
      " `completed_at` = IF(`status` = 'done', `updated_at`, NULL)",
  );
  await sql(
    'ALTER TABLE `tasks`' +
      ' ADD CONSTRAINT `tasks_project_fk` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`)' +
      ' ON DELETE SET NULL,' +
      ' ADD CONSTRAINT `tasks_parent_fk` FOREIGN KEY (`parent_id`) REFERENCES `tasks` (`id`)' +
      ' ON DELETE CASCADE,' +
      ' ADD INDEX `tasks_project_status_position` (`project_id`, `status`, `position`),' +
      ' ADD INDEX `tasks_parent_position` (`parent_id`, `position`),' +
      ' ADD INDEX `tasks_position` (`position`, `created_at`, `id`)',
  );

  await queryInterface.createTable(
    'tags',
    {
      id: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING(40), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.createTable(
    'task_tags',
    {
      task_id: {
        type: DataTypes.CHAR(36),
        primaryKey: true,
        allowNull: false,
        references: { model: 'tasks', key: 'id' },
        onDelete: 'CASCADE',
      },
      tag_id: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
      position: { type: DataTypes.SMALLINT.UNSIGNED, allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await queryInterface.addIndex('task_tags', ['tag_id', 'task_id'], { name: 'task_tags_tag' });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.dropTable('task_tags');
  await queryInterface.dropTable('tags');
  const sql = (text: string) => queryInterface.sequelize.query(text);
  await sql(
    'ALTER TABLE `tasks` DROP FOREIGN KEY `tasks_project_fk`, DROP FOREIGN KEY `tasks_parent_fk`',
  );
  await sql(
    'ALTER TABLE `tasks` DROP INDEX `tasks_project_status_position`,' +
      ' DROP INDEX `tasks_parent_position`, DROP INDEX `tasks_position`,' +
      ' DROP COLUMN `due_time`, DROP COLUMN `project_id`, DROP COLUMN `tags`,' +
      ' DROP COLUMN `parent_id`, DROP COLUMN `recurrence_rule`, DROP COLUMN `recurrence_from`,' +
      ' DROP COLUMN `position`, DROP COLUMN `completed_at`',
  );
  await queryInterface.dropTable('projects');
}
