package io.lars.reporter;

import io.lars.db.CallStatusRow;
import io.lars.protocol.Host;
import io.lars.protocol.ModuleId;
import io.lars.protocol.pb.HostCallResult;
import io.lars.protocol.pb.ReportStatusReq;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code ReportStatusReq} into {@code ServerCallStatus} rows, one per host result, or
 * rejects the whole request when a value is impossible.
 *
 * <p>Values are stored as the reference stores them: {@code succ}, {@code err} and {@code ts} are
 * uint32 on the wire and kept unsigned; ip and caller keep their Lars int32 form (the
 * repository writes them unsigned, e.g. 192.168.1.177 as 3232235953). Impossible values: a port
 * outside 0..65535, ip 0 (0.0.0.0 is no host), more results than the configured maximum.
 */
public final class StatusReport {

  /** The outcome of {@link #decode}. */
  public sealed interface Decoded permits Accepted, Rejected {}

  /**
   * A valid request.
   *
   * @param module the reported module
   * @param rows one row per result, in request order (immutable; may be empty)
   */
  public record Accepted(ModuleId module, List<CallStatusRow> rows) implements Decoded {}

  /**
   * A request to drop.
   *
   * @param reason what was impossible, for the log
   */
  public record Rejected(String reason) implements Decoded {}

  private StatusReport() {}

  /**
   * Validates and converts one request.
   *
   * @param request the decoded frame body
   * @param maxResults most results accepted in one request, at least 1
   * @return the rows, or why the request is rejected; never throws for any wire value
   */
  public static Decoded decode(ReportStatusReq request, int maxResults) {
    ModuleId module = new ModuleId(request.getModid(), request.getCmdid());
    int count = request.getResultsCount();
    if (count > maxResults) {
      return new Rejected("module " + module + " reports " + count + " host results, above " + maxResults);
    }
    long ts = Integer.toUnsignedLong(request.getTs());
    List<CallStatusRow> rows = new ArrayList<>(count);
    for (HostCallResult result : request.getResultsList()) {
      if (result.getPort() < 0 || result.getPort() > 65535) {
        return new Rejected("module " + module + " reports port " + result.getPort() + ", outside 0..65535");
      }
      if (result.getIp() == 0) {
        return new Rejected("module " + module + " reports a host with ip 0.0.0.0");
      }
      rows.add(new CallStatusRow(module, new Host(result.getIp(), result.getPort()),
          request.getCaller(), Integer.toUnsignedLong(result.getSucc()), Integer.toUnsignedLong(result.getErr()), ts,
          result.getOverload()));
    }
    return new Accepted(module, List.copyOf(rows));
  }
}
