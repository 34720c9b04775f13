# AOAI Gateway. `make run` starts a local demo; `make test` installs what the tests need and runs them all.
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
export JAVA_HOME
MVN := mvn -B -q -e
JARS := proxy/target/proxy.jar caddy-manager/target/caddy-manager.jar foundry-sim/target/foundry-sim.jar

# JVM flags the proxy runs with in `make run`; its AOT cache is trained with the same ones (the cache needs them).
PROXY_RUN_OPTS := -XX:+UseSerialGC -XX:+UseCompactObjectHeaders
export PROXY_RUN_OPTS

.PHONY: run test build aot bench soak clean tools admin-password

build:
	@test -n "$(JAVA_HOME)" || { echo "error: this project needs JDK 25 or newer (scripts/find-jdk.sh says where it looked and how to get it)"; exit 1; }
	$(MVN) -DskipTests package
	$(MAKE) aot

# The proxy's ahead-of-time cache (JDK 25): a short training run against foundry-sim writes proxy/target/proxy.aot,
# which `make run` passes as -XX:AOTCache (about half the start-up CPU, see README "Start-up and memory").
aot:
	"$(JAVA_HOME)/bin/java" infra/docker/AotTraining.java proxy/target/proxy.jar foundry-sim/target/foundry-sim.jar \
	  proxy/target/proxy.aot $(PROXY_RUN_OPTS) \
	  || echo "warning: the AOT training run failed (see above); the proxy starts without the cache, only slower"

$(JARS):
	$(MAKE) build

tools:
	scripts/install-tools.sh

test: tools
	@test -n "$(JAVA_HOME)" || { echo "error: this project needs JDK 25 or newer (scripts/find-jdk.sh says where it looked and how to get it)"; exit 1; }
	mvn -B verify

run: $(JARS)
	scripts/run.sh $(CONFIG)

# A new admin password for the config of `make run` (or CONFIG=file), its hash written through the store.
admin-password: proxy/target/proxy.jar
	CONFIG_PATH="$(or $(CONFIG),$(CONFIG_PATH),.run/config.json)" "$(JAVA_HOME)/bin/java" -jar proxy/target/proxy.jar reset-admin-password

# `make bench COMPARE=path/to/the/node/original` also runs the Node original through the same phases (side by side)
bench: $(JARS)
	scripts/bench.sh $(if $(COMPARE),--compare "$(COMPARE)")

soak: $(JARS)
	scripts/soak.sh

clean:
	mvn -B -q clean
