package io.lars.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every citation of a document section in the code ({@code (DESIGN.md "Load-balancing rules", G5)},
 * the form DESIGN.md's introduction defines) names a section that exists, and every rule id it
 * gives is defined in DESIGN.md, so a renamed section or a dropped rule fails the build instead of
 * leaving a dangling reference.
 */
class DocReferencesTest {

  private static final Pattern CITATION =
      Pattern.compile("\\b(DESIGN|WIRE|API)\\.md \"([^\"]+)\"((?:, \"[^\"]+\")*)([^):;]*)");
  private static final Pattern MORE_TITLES = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern RULE_ID = Pattern.compile("\\b([A-Z][0-9]{1,2})\\b");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,4} (?:[0-9]+\\. )?(.+)$");
  private static final Pattern RULE_DEFINITION = Pattern.compile("\\*\\*([A-Z][0-9]{1,2})\\*\\*");

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> headings(String doc) {
    List<String> titles = new ArrayList<>();
    HEADING.matcher(read(Path.of("docs", doc + ".md"))).results().forEach(m -> titles.add(m.group(1).trim()));
    return titles;
  }

  /** Source text with comment line breaks folded, so a citation wrapped over two lines is one. */
  private static String sources() throws IOException {
    StringBuilder all = new StringBuilder();
    for (String root : List.of("src/main/java", "src/main/resources")) {
      try (Stream<Path> files = Files.walk(Path.of(root))) {
        files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".conf"))
            .forEach(p -> all.append(read(p).replaceAll("\\n\\s*(?:\\*|//|#)\\s*", " ")).append('\n'));
      }
    }
    return all.toString();
  }

  @Test
  void everyCitedSectionAndRuleExists() throws IOException {
    Map<String, List<String>> sections = new TreeMap<>();
    for (String doc : List.of("DESIGN", "WIRE", "API")) {
      sections.put(doc, headings(doc));
    }
    String design = read(Path.of("docs/DESIGN.md"));
    List<String> rules = RULE_DEFINITION.matcher(design).results().map(m -> m.group(1)).toList();
    List<String> dangling = new ArrayList<>();
    int citations = 0;
    Matcher m = CITATION.matcher(sources());
    while (m.find()) {
      citations++;
      String doc = m.group(1);
      List<String> titles = new ArrayList<>(List.of(m.group(2)));
      MORE_TITLES.matcher(m.group(3)).results().forEach(t -> titles.add(t.group(1)));
      for (String title : titles) {
        if (sections.get(doc).stream().noneMatch(h -> h.startsWith(title))) {
          dangling.add(doc + ".md \"" + title + "\"");
        }
      }
      RULE_ID.matcher(m.group(4)).results().map(r -> r.group(1))
          .filter(id -> !rules.contains(id)).forEach(id -> dangling.add(m.group() + ": rule " + id));
    }
    assertTrue(citations >= 50, "only " + citations + " citations found: is the pattern still right?");
    assertTrue(rules.size() >= 40, rules.toString());
    assertEquals(List.of(), dangling);
  }
}
