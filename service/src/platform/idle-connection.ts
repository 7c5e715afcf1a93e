/**
 * How long a pooled connection no statement used stays open (DATABASE_POOL_IDLE_MS). A new connection costs
 * PostgreSQL about 20 ms of CPU (13 to connect, 8 for a first statement on cold caches, 17 more to parse
 * the PHI read's), spent under load on the cores the requests need. With Sequelize's 10 s, the connections
 * that the background work (every 15 s, several statements at once) or a burst had opened were closed
 * before the next tick and reopened by it: at 1,000 req/s, 12 to 14 new connections in 30 s, each tick a
 * 50 to 180 ms stall of every request. Ten minutes, as PgBouncer's server_idle_timeout and HikariCP's
 * idleTimeout. Its own module: config.ts reads it and must not load Sequelize (see instrumentation.ts).
 */
export const IDLE_CONNECTION_MS = 600_000;
