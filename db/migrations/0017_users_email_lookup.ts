import { concurrentIndexMigration } from '../migration';

/**
 * Sign-in, password reset and the admin bootstrap find a user by `email = $1`. 0001's unique index is on
 * `lower(email)`, which that predicate cannot use, so every login scanned the whole users table: 26 ms
 * a login at 100,000 patients, holding a pool connection meanwhile (the stress run's pool queue). The
 * column's CHECK keeps it lower-case already, so a plain unique index serves the same rule. 0001's index
 * stays while the previous release runs; a later release drops it (expand, then contract).
 */
export default concurrentIndexMigration('0017_users_email_lookup', [
  { name: 'users_email_key', on: 'users (email)', unique: true },
]);
