package io.lars.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import io.lars.client.ClientSettings;
import io.lars.client.HostResult;
import io.lars.client.LarsClient;
import io.lars.node.LarsNode;
import io.lars.node.Role;
import io.lars.protocol.Host;
import io.lars.protocol.RetCode;
import io.lars.testkit.TestNodeConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in a real headless Chromium against a node running every role: enter the token,
 * add a route, see it in the table, get it served by the agent over UDP, see the statistics chart
 * and the live load-balance view. Skipped when Debian's {@code chromium} and
 * {@code chromium-driver} are not installed ({@code .ci/run} installs them when it can).
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
  void addARouteInThePageAndSeeTheAgentServeIt() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)");
    TestNodeConfig conf = TestNodeConfig.create(ConfigFactory.parseString(
        "lars.admin.token = " + TOKEN + "\nlars.admin.data-dir = \"" + tmp.resolve("data") + "\""));
    LarsNode node = LarsNode.start(conf.config(), EnumSet.allOf(Role.class)).toCompletableFuture().get(60, TimeUnit.SECONDS);
    WebDriver browser = null;
    try (LarsClient client = LarsClient.create(node.system(),
        new ClientSettings("127.0.0.1", conf.ports().agent(), Duration.ofSeconds(2)))) {
      browser = chromium();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(100));
      browser.get("http://127.0.0.1:" + conf.ports().admin() + "/");
      assertEquals("Lars admin", browser.getTitle());

      browser.findElement(By.id("token")).sendKeys(TOKEN);
      browser.findElement(By.id("token-save")).click();
      wait.until(b -> b.findElement(By.id("token-state")).getText().equals("token set"));

      type(browser, "route-modid", String.valueOf(MODID));
      type(browser, "route-cmdid", String.valueOf(CMDID));
      type(browser, "route-ip", "127.0.0.1");
      type(browser, "route-port", "9999");
      browser.findElement(By.id("route-submit")).click();
      wait.until(b -> b.findElement(By.id("message")).getText().startsWith("Added route"));
      WebElement row = wait.until(b -> b.findElements(By.cssSelector("#routes-table tbody tr")).stream()
          .filter(tr -> tr.getText().contains("127.0.0.1") && tr.getText().contains("9999")).findFirst().orElse(null));
      assertTrue(row.getText().contains(String.valueOf(MODID)), row.getText());

      HostResult served = client.getHost(MODID, CMDID).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(RetCode.SUCC, served.retCode());
      assertEquals(Host.of("127.0.0.1", 9999), served.host());
      for (int i = 0; i < 20; i++) {
        client.report(MODID, CMDID, served.host(), i % 4 == 0 ? RetCode.OVERLOAD : RetCode.SUCC, Duration.ZERO)
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      }

      browser.findElement(By.cssSelector("nav button[data-tab='stats']")).click();
      type(browser, "stats-modid", String.valueOf(MODID));
      type(browser, "stats-cmdid", String.valueOf(CMDID));
      WebElement show = browser.findElement(By.id("stats-show"));
      // The agent reports every second and the reporter flushes every 200 ms: ask until it is there.
      wait.until(b -> {
        show.click();
        return !"0".equals(b.findElement(By.id("chart")).getAttribute("data-points"))
            && b.findElement(By.id("chart")).getAttribute("data-points") != null
            && b.findElement(By.cssSelector("#status-table tbody")).getText().contains("127.0.0.1:9999");
      });
      screenshot(browser, "admin-statistics.png");

      browser.findElement(By.cssSelector("nav button[data-tab='lb']")).click();
      type(browser, "lb-modid", String.valueOf(MODID));
      type(browser, "lb-cmdid", String.valueOf(CMDID));
      browser.findElement(By.cssSelector("#lb-form button")).click();
      wait.until(b -> b.findElement(By.id("lb-view")).getText().contains("127.0.0.1:9999"));
      screenshot(browser, "admin-load-balance.png");
    } finally {
      if (browser != null) {
        browser.quit();
      }
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private ChromeDriver chromium() throws Exception {
    // Explicit binaries: Selenium Manager is only consulted when no driver path is known, so it
    // never downloads a browser or driver here.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1280,1000", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium")));
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
