# The boxq server image (api and/or executor roles, chosen by BOXQ_ROLES), for hosts that can
# pull from a registry; docker-compose.yml uses it. The sandbox image is Dockerfile.sandbox.
#
#   docker build -t boxq:latest .
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY core/pom.xml core/
COPY api/pom.xml api/
COPY executor/pom.xml executor/
COPY scheduler/pom.xml scheduler/
COPY server/pom.xml server/
# The clients are modules of the reactor too (Maven reads their poms), but the image builds only the server.
COPY client/pom.xml client/
COPY integrations/langchain4j/pom.xml integrations/langchain4j/
# Dependencies first, so a source change does not download them again.
RUN ./mvnw -B -ntp -q dependency:go-offline -DexcludeReactor=true -pl server -am || true
COPY core core
COPY api api
COPY executor executor
COPY scheduler scheduler
COPY server server
RUN ./mvnw -B -ntp -q package -Dmaven.test.skip=true -pl server -am
# The in-container agent, static against musl; an executor installs it into AGENT_DIR at start.
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && musl-gcc -static -Os -s -Wall "-DBOXQ_AGENT_BUILD=\"$(sha256sum executor/src/main/c/boxq-agent.c | cut -c1-16)\"" \
        -o /src/boxq-agent executor/src/main/c/boxq-agent.c

FROM eclipse-temurin:21-jre
# Not root. An executor needs the mounted Docker socket, which only root or the socket's group can
# use: docker-compose.yml runs the executors as root for that (the socket is root-equivalent
# anyway), the api replicas as this user.
RUN useradd --system --uid 10001 --home-dir /opt/boxq boxq
WORKDIR /opt/boxq
COPY --from=build /src/server/target/boxq.jar /opt/boxq/boxq.jar
COPY --from=build /src/boxq-agent /opt/boxq/boxq-agent
ENV AGENT_BINARY=/opt/boxq/boxq-agent
USER boxq
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-XX:+UseZGC", "-XX:MaxRAMPercentage=75", "-jar", "/opt/boxq/boxq.jar"]
