package io.lars.db;

import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import java.util.Objects;

/**
 * One {@code ServerCallStatus} row: the latest call statistics of a host as seen by one caller
 * (reference: the reporter's {@code StoreReport}). The key is (module, host, caller).
 *
 * @param module the module ({@code modid}, {@code cmdid})
 * @param host the called host ({@code ip}, {@code port}); ip in Lars int32 form, stored unsigned
 * @param caller the reporting agent's address in Lars int32 form, stored unsigned ({@code caller})
 * @param succ successful calls in the report period ({@code succ_cnt})
 * @param err failed calls in the report period ({@code err_cnt})
 * @param ts report time, unix seconds ({@code ts})
 * @param overload whether the agent holds the host overloaded ({@code overload} '1' or '0')
 */
public record CallStatusRow(ModuleId module, Host host, int caller, long succ, long err, long ts, boolean overload) {

  /** @throws NullPointerException if module or host is null */
  public CallStatusRow {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(host, "host");
  }
}
