package io.lars.admin;

import io.lars.agent.LoadBalance;
import io.lars.protocol.ModuleId;
import java.util.concurrent.CompletionStage;

/** Reads the live state of a module's LoadBalance entity for the admin. */
@FunctionalInterface
public interface LoadBalanceView {

  /**
   * @param module the module
   * @return completes with the entity's state; fails with {@link LoadBalanceUnavailableException}
   *     when no agent can answer in time
   */
  CompletionStage<LoadBalance.Snapshot> state(ModuleId module);
}
