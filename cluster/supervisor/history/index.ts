/** Recording a live session's task operations and checking them (cluster/api/history.ts). */
export { LiveHistory, historyOf, type LiveHistoryHost } from './live.js';
export { historyRoutes, parseRecordBody } from './routes.js';
