package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * Third-party browser code the admin page uses, taken from WebJars on the class path (never copied into the
 * repository, never fetched from a CDN). Today one: uPlot (MIT), the usage page's charts, from
 * {@code org.webjars.npm:uplot} (a dependency of admin-ui). Its {@code dist/} folder is served at
 * {@link #UPLOT_PATH}; the version is read from the WebJar's own Maven metadata, so a version bump in the pom
 * needs no code change.
 */
final class AdminVendor {
    /** Where the page finds uPlot's files ({@code uPlot.esm.js}, {@code uPlot.min.css}). */
    static final String UPLOT_PATH = "/admin/vendor/uplot";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private AdminVendor() {
    }

    /** @return the class-path folder holding uPlot's {@code dist/} files, or empty when the WebJar is missing */
    static Optional<String> uplotDist() {
        ClassLoader cl = AdminVendor.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            String version = p.getProperty("version", "");
            if (!version.matches("[0-9A-Za-z.\\-]+")) {
                return Optional.empty();
            }
            String dist = "META-INF/resources/webjars/uplot/" + version + "/dist";
            return cl.getResource(dist + "/uPlot.esm.js") == null ? Optional.empty() : Optional.of(dist);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
