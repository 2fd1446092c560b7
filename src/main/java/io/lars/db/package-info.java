/**
 * The database layer: {@link io.lars.db.DbSettings} ({@code lars.db}), {@link io.lars.db.Database}
 * (the HikariCP pool, migrated by Flyway at open), and the repositories: routes
 * ({@link io.lars.db.RouteRepository}, {@link io.lars.db.JdbcRouteRepository}), call statistics
 * ({@link io.lars.db.CallStatusRepository}) and module/command names
 * ({@link io.lars.db.NameRepository}). Every repository method blocks; callers run it on
 * {@code lars-jdbc-dispatcher} ({@link io.lars.db.Database#jdbcExecutor}), never on the default
 * dispatcher. All SQL is constant text run as prepared statements; failures surface as
 * {@link io.lars.db.DatabaseException} naming the operation.
 */
package io.lars.db;
