# foundry-sim, the Azure OpenAI / Foundry simulator, as the upstream of the compose `sim` profile (a demo with no
# Azure). The build context is the repository root:
#   docker build -f infra/docker/foundry-sim.Dockerfile -t aoai-gateway/foundry-sim:dev .

FROM maven:3.9.11-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package -pl foundry-sim -am \
 && javac --release 25 -d /out/probe infra/docker/HealthProbe.java

FROM eclipse-temurin:25.0.1_8-jre-noble
RUN groupadd --system --gid 10001 aoaigw \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin aoaigw
WORKDIR /app
COPY --from=build /src/foundry-sim/target/foundry-sim.jar /app/foundry-sim.jar
COPY --from=build /src/foundry-sim/target/libs/ /app/libs/
COPY --from=build /out/probe/ /app/probe/
COPY infra/docker/entrypoint.sh /app/entrypoint.sh
RUN chmod 0755 /app/entrypoint.sh

# SIM_API_KEYS has no default here: compose passes it (see infra/compose/sim.yaml).
ENV SIM_PORT=8080 \
    APP_JAR=/app/foundry-sim.jar \
    JAVA_OPTS="-XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/app/probe", "HealthProbe", "http", "/_sim/stats", "SIM_PORT", "8080"]
ENTRYPOINT ["/app/entrypoint.sh"]
