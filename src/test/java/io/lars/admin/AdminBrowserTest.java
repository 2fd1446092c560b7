package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.client.ClientSettings;
import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.client.LeaseOptions;
import io.lars.client.Registration;
import io.lars.kernel.Role;
import io.lars.node.LarsNode;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import io.lars.testkit.TestNodeConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin console in a real headless Chromium against a node running every role: enter the
 * token, add a route on the Routes page, have the agent serve it over UDP and report calls, then
 * see the module on the Modules overview (live counts, refreshed by itself) beside a module that
 * only has a self-registered host (marked "registered"), its Module page
 * (hosts, legend, chart, change history), the Audit log and the Cluster page, each reached by its
 * own URL; a Chromium screenshot of each page is saved under {@code target/}. Skipped when
 * Debian's {@code chromium} and {@code chromium-driver} are not installed ({@code .ci/run}
 * installs them when it can).
 */
class AdminBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String TOKEN = "browser-token";
  private static final int MODID = 77;
  private static final int CMDID = 1;

  @TempDir
  Path tmp;

  @Test
  void runLarsFromTheConsole() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.admin.token = " + TOKEN + "\nlars.admin.token-name = browser-operator\nlars.admin.data-dir = \""
            + tmp.resolve("data") + "\""));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    WebDriver browser = null;
    try (LarsClient client = LarsClient.create(node.system(),
        new ClientSettings("127.0.0.1", conf.ports().agent(), Duration.ofSeconds(2)))) {
      browser = chromium();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(100));
      // Pages rebuild their tables every 2 s: a row found may be replaced before it is read; retry then.
      wait.ignoring(StaleElementReferenceException.class);
      String base = "http://127.0.0.1:" + conf.ports().admin() + "/";
      browser.get(base);
      assertEquals("Lars admin", browser.getTitle());
      assertEquals("modules", browser.findElement(By.tagName("body")).getAttribute("data-page"), "the landing page");

      browser.findElement(By.id("token")).sendKeys(TOKEN);
      browser.findElement(By.id("token-save")).click();
      wait.until(b -> b.findElement(By.id("token-state")).getText().equals("token set"));

      browser.findElement(By.cssSelector("nav a[data-page='routes']")).click();
      wait.until(b -> b.getCurrentUrl().endsWith("#/routes"));
      type(browser, "route-modid", String.valueOf(MODID));
      type(browser, "route-cmdid", String.valueOf(CMDID));
      type(browser, "route-ip", "127.0.0.1");
      type(browser, "route-port", "9999");
      browser.findElement(By.id("route-submit")).click();
      wait.until(b -> b.findElement(By.id("message")).getText().startsWith("Added route"));
      String row = wait.until(b -> b.findElements(By.cssSelector("#routes-table tbody tr")).stream().map(WebElement::getText)
          .filter(text -> text.contains("127.0.0.1") && text.contains("9999")).findFirst().orElse(null));
      assertTrue(row.contains(String.valueOf(MODID)), row);
      screenshot(browser, "admin-routes.png");

      // The first get_host may race the dns push, or time out while the entity starts on a busy machine.
      HostResult served = wait.until(b -> {
        try {
          HostResult r = client.getHost(MODID, CMDID).toCompletableFuture().get(5, TimeUnit.SECONDS);
          return r.isSucc() ? r : null;
        } catch (Exception e) {
          return null;
        }
      });
      assertEquals(RetCode.SUCC, served.retCode());
      assertEquals(Host.of("127.0.0.1", 9999), served.host());
      for (int i = 0; i < 20; i++) {
        client.report(MODID, CMDID, served.host(), i % 4 == 0 ? RetCode.OVERLOAD : RetCode.SUCC, Duration.ZERO)
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }

      // A module with a self-registered host only (issue 16) also has its row on the overview.
      Registration registered = client.register(MODID + 1, CMDID, Host.of("10.7.8.1", 80),
          LeaseOptions.ttl(Duration.ofSeconds(30))).toCompletableFuture().get(20, TimeUnit.SECONDS);

      // Modules overview: the row appears with its live counts, and the page refreshes by itself.
      browser.findElement(By.cssSelector("nav a[data-page='modules']")).click();
      String module = MODID + "/" + CMDID;
      List<String> cells = wait.until(b -> b.findElements(By.cssSelector("#modules-table tbody tr")).stream()
          .filter(tr -> module.equals(tr.getAttribute("data-module")))
          .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
          .filter(texts -> texts.get(3).equals("1") && !texts.get(5).equals("0.00"))
          .findFirst().orElse(null));
      assertEquals("1", cells.get(2), "hosts: " + cells);
      String leaseOnly = (MODID + 1) + "/" + CMDID;
      wait.until(b -> b.findElements(By.cssSelector("#modules-table tbody tr[data-module='" + leaseOnly + "'] td")).stream()
          .map(WebElement::getText).anyMatch("1 registered"::equals));
      registered.close();
      int refreshes = refreshes(browser);
      wait.until(b -> refreshes(b) >= refreshes + 2);
      screenshot(browser, "admin-modules.png");
      // Filter and sort work on the live rows.
      type(browser, "modules-query", "no-such-module");
      wait.until(b -> b.findElements(By.cssSelector("#modules-table tbody tr")).isEmpty());
      type(browser, "modules-query", String.valueOf(MODID));
      wait.until(b -> b.findElements(By.cssSelector("#modules-table tbody tr")).size() == 1);
      browser.findElement(By.cssSelector("#modules-table th[data-key='callsPerSecond']")).click();
      wait.until(b -> b.findElement(By.cssSelector("#modules-table th[data-key='callsPerSecond']"))
          .getAttribute("class").contains("sorted"));

      // Module page, by clicking the row: hosts with state, legend, chart with points, history.
      wait.until(b -> {
        b.findElement(By.cssSelector("#modules-table tbody tr[data-module='" + module + "']")).click();
        return true;
      });
      wait.until(b -> b.getCurrentUrl().endsWith("#/module/" + MODID + "/" + CMDID));
      wait.until(b -> b.findElement(By.cssSelector("#module-hosts tbody")).getText().contains("127.0.0.1:9999"));
      assertTrue(browser.findElement(By.cssSelector("#module-hosts tbody")).getText().contains("idle"));
      assertTrue(browser.findElement(By.id("legend")).getText().contains("vsucc / verr"));
      wait.until(b -> {
        String points = b.findElement(By.id("chart")).getAttribute("data-points");
        return points != null && !points.equals("0");
      });
      wait.until(b -> b.findElement(By.cssSelector("#module-history tbody")).getText().contains("browser-operator"));
      assertTrue(browser.findElement(By.cssSelector("#module-history tbody")).getText()
          .contains("added 127.0.0.1:9999 to " + module));
      screenshot(browser, "admin-module.png");

      // Audit log and cluster, reached by their URLs.
      browser.get(base + "#/audit");
      wait.until(b -> b.findElement(By.cssSelector("#audit-table tbody")).getText().contains("browser-operator"));
      screenshot(browser, "admin-audit.png");
      browser.get(base + "#/cluster");
      wait.until(b -> b.findElement(By.cssSelector("#cluster-table tbody")).getText().contains("Up"));
      String members = browser.findElement(By.cssSelector("#cluster-table tbody")).getText();
      assertTrue(members.contains("agent") && members.contains("(this node)"), members);
      wait.until(b -> b.findElement(By.cssSelector("#cluster-table tbody")).getText().contains(module));
      screenshot(browser, "admin-cluster.png");

      browser.get(base + "#/names");
      wait.until(b -> "names".equals(b.findElement(By.tagName("body")).getAttribute("data-page")));
      screenshot(browser, "admin-names.png");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static int refreshes(WebDriver browser) {
    String n = browser.findElement(By.tagName("body")).getAttribute("data-refreshes");
    return n == null ? 0 : Integer.parseInt(n);
  }

  private ChromeDriver chromium() throws Exception {
    // Explicit binaries: Selenium Manager is only consulted when no driver path is known, so it
    // never downloads a browser or driver here.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1280,1800", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium")));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static void type(WebDriver browser, String id, String text) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    input.sendKeys(text);
  }

  private static void screenshot(WebDriver browser, String name) throws Exception {
    File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
