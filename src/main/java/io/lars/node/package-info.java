/**
 * Node wiring: configuration loading and validation, the roles a node runs, and the guardian
 * that starts each role's actors and listeners and reports when all are bound.
 */
package io.lars.node;
