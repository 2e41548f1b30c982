/** MySQL for each node: managed MariaDB, Docker containers, or servers the user runs. */
export * from './mariadb.js';
export * from './external.js';
export * from './docker.js';
export * from './node-mysql.js';
