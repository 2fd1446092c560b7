package io.lars.agent;

import akka.actor.typed.ActorRef;
import io.lars.protocol.ModuleId;

/**
 * A {@link NodeViews.Port} for tests: forwards what the node's views tell a port to a probe, as
 * the {@link ModuleView}, {@link Unknown} or {@link Released}.
 *
 * @param probe where the calls go
 */
record ProbePort(ActorRef<Object> probe) implements NodeViews.Port {

  /** @param module the module answered NOEXIST */
  record Unknown(ModuleId module) {}

  /** @param module the module whose view was released */
  record Released(ModuleId module) {}

  @Override
  public void view(ModuleView view) {
    probe.tell(view);
  }

  @Override
  public void unknown(ModuleId module) {
    probe.tell(new Unknown(module));
  }

  @Override
  public void release(ModuleId module) {
    probe.tell(new Released(module));
  }
}
