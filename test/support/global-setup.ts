/**
 * Runs once before the suite: makes sure the system pieces the tests use are there, so that
 * `npm test` works on a fresh Debian machine by itself.
 */
import fs from 'node:fs';
import { findMariaDbBinaries } from '../../db/provision/mariadb.js';
import { ensureDebianPackages } from '../../db/provision/system-packages.js';

/** Where the browser tests find Chromium (Playwright cannot download its own here). */
export const CHROMIUM = process.env.RAFTBOARD_CHROMIUM ?? '/usr/bin/chromium';

export default function setup(): void {
  if (!process.env.RAFTBOARD_TEST_MYSQL_URL) {
    try {
      findMariaDbBinaries();
    } catch {
      ensureDebianPackages(['mariadb-server'], 'the MySQL tests start throwaway MariaDB servers');
    }
  }
  if (!fs.existsSync(CHROMIUM)) {
    ensureDebianPackages(['chromium'], "the browser tests drive Debian's Chromium");
  }
}
