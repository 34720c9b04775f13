package com.aoaigw.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/deploy-aci.sh against a stand-in {@code az} that records its calls and answers the queries the script makes:
 * the order (registry, both image builds, then the Bicep deployment), the parameters it passes, every command printed
 * before it runs, and the secret client key never printed in a command.
 */
@Timeout(60)
class DeployAciScriptTest {
    @TempDir
    Path tmp;

    private Repo.Run deploy(String... args) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path az = bin.resolve("az");
        Files.writeString(az, """
                #!/bin/sh
                echo "$*" >> "$AZ_LOG"
                case "$*" in
                  "group show"*) echo westeurope ;;
                  "group exists"*) echo false ;;
                  "acr show -n myacr -o none") exit 3 ;;
                  *"--query resourceGroup"*) echo rg-acr ;;
                  *"--query loginServer"*) echo myacr.azurecr.io ;;
                  "account show"*) echo 00000000-sub ;;
                  "deployment group create"*) echo '{"siteUrl": {"type": "String", "value": "https://aoaigw-x.westeurope.azurecontainer.io/admin/"}}' ;;
                esac
                exit 0
                """);
        assertTrue(az.toFile().setExecutable(true));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("AZ_LOG", tmp.resolve("az.log").toString());
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", Repo.path("scripts/deploy-aci.sh").toString()));
        cmd.addAll(List.of(args));
        return Repo.run(tmp, env, cmd);
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(tmp.resolve("az.log"));
    }

    @Test
    void buildsBothImagesInTheRegistryThenDeploysTheTemplateWithTheSiteParameters() throws IOException {
        Repo.Run run = deploy("-g", "rg-gw", "-r", "myacr", "-a", "my-aoai", "-m", "gpt-5-mini", "-d", "gw.example.com",
                "-e", "ops@example.com", "-c", "acme-staging", "-t", "v1");
        assertEquals(0, run.exitCode(), run.all());
        List<String> calls = calls();
        int create = index(calls, "acr create -g rg-gw -n myacr");
        int proxy = index(calls, "acr build -r myacr -t aoai-gateway/proxy:v1 -f proxy/Dockerfile .");
        int manager = index(calls, "acr build -r myacr -t aoai-gateway/caddy-manager:v1 -f caddy-manager/Dockerfile .");
        int deployment = index(calls, "deployment group create -g rg-gw -n aoai-gateway -f infra/main.bicep");
        assertTrue(index(calls, "group create -n rg-gw -l westeurope") < create && create < proxy && proxy < manager
                && manager < deployment, calls.toString());
        assertTrue(calls.get(create).contains("--admin-enabled false"), "no admin user on the registry");
        String d = calls.get(deployment);
        for (String p : List.of("proxyImage=myacr.azurecr.io/aoai-gateway/proxy:v1",
                "caddyManagerImage=myacr.azurecr.io/aoai-gateway/caddy-manager:v1", "acrName=myacr",
                "acrResourceGroup=rg-acr", "cognitiveServicesAccountName=my-aoai", "modelDeployment=gpt-5-mini",
                "domain=gw.example.com", "acmeEmail=ops@example.com", "ca=acme-staging", "clientKey=sk-")) {
            assertTrue(d.contains(p), p + " not in " + d);
        }
        String key = d.replaceAll(".*clientKey=(sk-[A-Za-z0-9_-]+).*", "$1");
        // Every command is printed before it runs, the client key only once, in the final summary.
        for (String printed : List.of("+ az acr build -r myacr -t aoai-gateway/proxy:v1 -f proxy/Dockerfile .",
                "+ az deployment group create -g rg-gw -n aoai-gateway -f infra/main.bicep", "clientKey=<hidden>")) {
            assertTrue(run.stderr().contains(printed), printed + "\n" + run.all());
        }
        assertFalse(run.stderr().contains(key), "the key is not in a printed command");
        assertTrue(run.stdout().contains("client key    " + key), run.all());
        assertTrue(run.stdout().contains("https://aoaigw-x.westeurope.azurecontainer.io/admin/"), run.all());
        assertTrue(run.stdout().contains("az container logs -g rg-gw -n aoai-gateway --container-name proxy"), run.all());
    }

    @Test
    void dryRunPrintsWithoutBuildingOrDeploying() throws IOException {
        Repo.Run run = deploy("-n", "-g", "rg-gw", "-r", "myacr", "-a", "my-aoai");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("+ az acr build -r myacr") && run.stderr().contains("caddy-manager/Dockerfile"),
                run.all());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("acr build") || c.startsWith("deployment")
                || c.startsWith("acr create") || c.startsWith("group create")), calls().toString());
    }

    @Test
    void missingArgumentsAreNamed() throws IOException {
        Repo.Run run = deploy("-g", "rg-gw");
        assertEquals(2, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("-r <registry-name>") && run.stderr().contains("-a <azure-openai-account>"),
                run.all());
    }

    private static int index(List<String> calls, String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no call starting with '" + prefix + "' in " + calls);
    }
}
