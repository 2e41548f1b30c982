/**
 * Runs once before the suite: makes sure the system pieces the tests use are there, so that
 * `npm test` works on a fresh Debian machine by itself.
 */
import { findMariaDbBinaries } from '../../db/provision/mariadb.js';
import { ensureDebianPackages } from './system-packages.js';

export default function setup(): void {
  if (process.env.RAFTBOARD_TEST_MYSQL_URL) return; // an external server was chosen
  try {
    findMariaDbBinaries();
  } catch {
    ensureDebianPackages(['mariadb-server'], 'the MySQL tests start throwaway MariaDB servers');
  }
}
