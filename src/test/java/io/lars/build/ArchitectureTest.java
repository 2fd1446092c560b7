package io.lars.build;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package floors of DESIGN.md "Packages and their floors" and STYLE rule 1, checked on the
 * compiled main classes: no package cycle, no import from a lower floor to a higher one, and no role
 * importing another role (the roles meet through the kernel, the lease service and the cluster,
 * not through each other's classes). {@code node} (start-up) and {@code cli} sit above the roles
 * and may import them.
 */
class ArchitectureTest {

  /** The floors, lowest first; a package may import its own floor's and lower floors' packages. */
  private static final List<List<String>> FLOORS = List.of(
      List.of("io.lars.protocol.."),
      List.of("io.lars.transport..", "io.lars.db.."),
      List.of("io.lars.kernel.."),
      List.of("io.lars.lease.."),
      List.of("io.lars.agent..", "io.lars.dns..", "io.lars.reporter..", "io.lars.admin..", "io.lars.client.."),
      List.of("io.lars.node.."),
      List.of("io.lars.cli.."));

  /** The roles: none imports another. */
  private static final List<String> ROLES = FLOORS.get(4);

  /**
   * The one role-to-role edge left: the admin reads the agent's LoadBalance entity (its key, its
   * {@code GetState} and the {@code LoadBalance.Snapshot} it answers) for the web console. It goes
   * when the entity's cross-node replies become protocol records below the roles (issue #18 item 2).
   */
  private static final String ADMIN_READS_THE_ENTITY = "io\\.lars\\.agent\\.LoadBalance(Entity)?(\\$.*)?";

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.lars");
  }

  @Test
  void noPackageCycle() {
    slices().matching("io.lars.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void noLowerFloorImportsAHigherOne() {
    for (int floor = 0; floor < FLOORS.size() - 1; floor++) {
      List<String> higher = new ArrayList<>();
      FLOORS.subList(floor + 1, FLOORS.size()).forEach(higher::addAll);
      noClasses().that().resideInAnyPackage(FLOORS.get(floor).toArray(String[]::new))
          .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(String[]::new))
          .because("DESIGN.md \"Packages and their floors\": lower floors never import higher ones")
          .check(classes);
    }
  }

  @Test
  void noRoleImportsAnotherRole() {
    for (String role : ROLES) {
      String[] others = ROLES.stream().filter(r -> !r.equals(role)).toArray(String[]::new);
      var otherRoles = resideInAnyPackage(others);
      var forbidden = role.equals("io.lars.admin..")
          ? otherRoles.and(not(nameMatching(ADMIN_READS_THE_ENTITY))) : otherRoles;
      noClasses().that().resideInAPackage(role)
          .should().dependOnClassesThat(forbidden)
          .because("roles meet through the kernel, the lease service and cluster messages (STYLE rule 1)")
          .check(classes);
    }
  }
}
