package com.aoaigw.proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStores;
import com.aoaigw.config.FileConfigStore;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.admin.AdminAuthenticator;
import com.aoaigw.proxy.admin.AdminConfigAccess;
import com.aoaigw.proxy.admin.AdminBootstrap;
import com.aoaigw.proxy.admin.ClientKeys;
import com.aoaigw.proxy.admin.PasswordHasher;

/**
 * The operator's one-shot commands of {@code java -jar proxy.jar <command>}:
 * <ul>
 *     <li>{@code check-config [FILE]}: validates a config document (default {@code CONFIG_PATH}) and prints the
 *     validator's lines, each prefixed with the file; exit 1 when it has errors. On stdout a short summary for
 *     scripts ({@code models <id>...}, {@code keys <id>...}, {@code admin-password usable|missing}).</li>
 *     <li>{@code reset-admin-password}: a new admin password whose hash is written through the config store
 *     ({@code CONFIG_PATH}, {@code PERSISTENCE_MODE}, ...; a running proxy picks it up), printed once.</li>
 * </ul>
 */
final class Commands {
    private Commands() {
    }

    /**
     * @param args the command and its arguments
     * @param env  variable lookup (environment, then system properties)
     * @param out  standard output
     * @param err  standard error
     * @return the exit code
     */
    static int run(String[] args, Function<String, String> env, PrintStream out, PrintStream err) {
        return switch (args[0]) {
            case "check-config" -> checkConfig(args.length > 1 ? Path.of(args[1])
                    : Path.of(ProcessSettings.from(env).store().configPath()), out, err);
            case "reset-admin-password" -> resetAdminPassword(ProcessSettings.from(env), out, err);
            default -> {
                err.println("error: unknown command '" + args[0] + "'; use check-config [FILE] or reset-admin-password"
                        + " (no argument starts the proxy)");
                yield 2;
            }
        };
    }

    private static int checkConfig(Path file, PrintStream out, PrintStream err) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println(file + ": error: the file does not exist");
            return 1;
        } catch (IOException e) {
            err.println(file + ": error: cannot read it: " + e.getMessage());
            return 1;
        }
        LoadedConfig loaded;
        try {
            loaded = new ConfigLoader().load(json);
        } catch (ConfigException e) {
            print(file, e.problems(), err);
            return 1;
        }
        print(file, loaded.warnings(), err);
        GatewayConfig c = loaded.config();
        out.println("models " + String.join(" ", c.models().stream().map(m -> m.id()).toList()));
        out.println("keys " + String.join(" ", c.apiKeys().stream()
                .filter(k -> k.active()).map(k -> k.id()).toList()));
        out.println("admin-password " + (AdminAuthenticator.usable(c.server().adminAuth()) ? "usable" : "missing"));
        return 0;
    }

    private static void print(Path file, List<ConfigProblem> problems, PrintStream err) {
        for (ConfigProblem p : problems) {
            err.println(file + ": " + p);
        }
    }

    private static int resetAdminPassword(ProcessSettings settings, PrintStream out, PrintStream err) {
        ConfigStore store = settings.store().mode() == com.aoaigw.config.StoreMode.BLOB
                ? ConfigStores.create(settings.store())
                : new FileConfigStore(Path.of(settings.store().configPath()), Duration.ofSeconds(2));
        try (store) {
            ConfigLoader loader = new ConfigLoader();
            AdminConfigAccess access;
            try {
                ConfigHolder holder = new ConfigHolder(loader);
                ConfigStore.Versioned v = store.read();
                holder.apply(v.json(), v.etag());
                access = new AdminConfigAccess(holder, store);
            } catch (RuntimeException e) {
                err.println("error: the config at " + settings.store().configPath() + " cannot be used: "
                        + e.getMessage());
                return 1;
            }
            boolean stored = new AdminBootstrap(access, loader, new PasswordHasher(), new ClientKeys(new SecureRandom()))
                    .reset(out);
            if (!stored) {
                err.println("error: the new admin password hash could not be stored in " + settings.store().configPath()
                        + "; nothing changed");
                return 1;
            }
            return 0;
        }
    }
}
