/**
 * The {@code lars} command line (picocli): {@code node} and the reference {@code run_lars}
 * tools. Only this package prints to standard output.
 */
package io.lars.cli;
