package com.aoaigw.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the package graph of the proxy's main classes: dependencies run one way, from the wiring at the root
 * ({@link ProxyServer}, {@link Main}) down to {@code error}, which imports nothing of the proxy. A new edge must be
 * added to {@link #ALLOWED} on purpose (and may not close a loop); a new package must be placed in it.
 */
class PackageGraphTest {
    private static final String ROOT = "com.aoaigw.proxy";

    /** Each package and the proxy packages its classes may use (the root package: all of them). */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("error", Set.of());
        ALLOWED.put("config", Set.of("error"));
        ALLOWED.put("state", Set.of("error", "config"));
        ALLOWED.put("route", Set.of("error", "config", "state"));
        ALLOWED.put("limit", Set.of("error", "config", "state", "route"));
        // translate is pure (bodies, events, usage shapes); upstream relays through its plug-in types
        ALLOWED.put("translate", Set.of("error", "config", "route"));
        ALLOWED.put("upstream", Set.of("error", "config", "route", "translate"));
        ALLOWED.put("observe", Set.of("error", "config", "route", "upstream", "translate"));
        ALLOWED.put("usage", Set.of("error", "config", "state"));
        ALLOWED.put("api", Set.of("error", "config", "state", "route", "limit", "upstream", "translate", "observe"));
        // admin -> api: the playground runs a request as a client key (ClientIdentity)
        ALLOWED.put("admin", Set.of("error", "config", "route", "upstream", "observe", "limit", "state", "api",
                "usage"));
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        // an importer that cannot read the class files (a newer class-file version) must not pass by seeing nothing
        assertTrue(classes.contain(ProxyServer.class), "the main classes were not imported");
        assertTrue(classes.size() > 50, "only " + classes.size() + " classes imported");
    }

    @Test
    void everyPackageIsPlacedInTheGraph() {
        Set<String> unknown = new TreeSet<>();
        for (JavaClass c : classes) {
            String p = top(c.getPackageName());
            if (p != null && !p.isEmpty() && !ALLOWED.containsKey(p)) {
                unknown.add(p);
            }
        }
        assertEquals(Set.of(), unknown, "packages missing from PackageGraphTest.ALLOWED");
    }

    @Test
    void dependenciesFollowTheAllowedGraph() {
        List<String> wrong = new ArrayList<>();
        Set<String> edges = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = top(c.getPackageName());
            if (from == null || from.isEmpty()) {
                continue; // the root wires everything
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = top(d.getTargetClass().getPackageName());
                if (to == null || to.equals(from)) {
                    continue;
                }
                Set<String> allowed = ALLOWED.getOrDefault(from, Set.of());
                if (!allowed.contains(to) && edges.add(from + " -> " + (to.isEmpty() ? "(root)" : to))) {
                    wrong.add(d.getDescription());
                }
            }
        }
        assertEquals(List.of(), wrong, "dependencies outside the allowed graph " + edges);
    }

    @Test
    void packagesAreFreeOfCycles() {
        SlicesRuleDefinition.slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theAllowedGraphItselfHasNoCycle() {
        // depth-first over ALLOWED: a cycle there would let a cycle into the code
        Map<String, Integer> state = new LinkedHashMap<>();
        for (String p : ALLOWED.keySet()) {
            visit(p, state, new ArrayList<>());
        }
    }

    private static void visit(String p, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) {
            return;
        }
        path.add(p);
        assertTrue(s == null, "cycle in ALLOWED: " + path);
        state.put(p, 1);
        for (String q : ALLOWED.getOrDefault(p, Set.of())) {
            visit(q, state, path);
        }
        state.put(p, 2);
        path.remove(path.size() - 1);
    }

    /** The proxy package below the root ("" for the root itself), or null for a class outside the proxy. */
    private static String top(String pkg) {
        if (pkg.equals(ROOT)) {
            return "";
        }
        if (!pkg.startsWith(ROOT + ".")) {
            return null;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
