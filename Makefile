# AOAI Gateway. `make run` starts a local demo; `make test` installs what the tests need and runs them all.
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
export JAVA_HOME
MVN := mvn -B -q -e
JARS := proxy/target/proxy.jar caddy-manager/target/caddy-manager.jar foundry-sim/target/foundry-sim.jar

.PHONY: run test build bench soak clean tools

build:
	@test -n "$(JAVA_HOME)" || { echo "error: this project needs JDK 25 or newer (scripts/find-jdk.sh says where it looked and how to get it)"; exit 1; }
	$(MVN) -DskipTests package

$(JARS):
	$(MAKE) build

tools:
	scripts/install-tools.sh

test: tools
	@test -n "$(JAVA_HOME)" || { echo "error: this project needs JDK 25 or newer (scripts/find-jdk.sh says where it looked and how to get it)"; exit 1; }
	mvn -B verify

run: $(JARS)
	scripts/run.sh $(CONFIG)

bench: $(JARS)
	scripts/bench.sh

soak: $(JARS)
	scripts/soak.sh

clean:
	mvn -B -q clean
