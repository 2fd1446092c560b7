/**
 * The database layer: settings, the HikariCP pool, Flyway migrations and the repositories for
 * routes and call statistics. Every method here blocks; callers run it on
 * {@code lars-jdbc-dispatcher} ({@link io.lars.db.Database#jdbcExecutor}), never on the default
 * dispatcher. All SQL uses prepared statements.
 */
package io.lars.db;
