package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {
    private final Logger boxq = LoggerFactory.getLogger("io.boxq.executor.node.JobHandler");
    private final Logger library = LoggerFactory.getLogger("org.example.SomeLibrary");

    @AfterEach
    void backToTheDefaults() {
        Logging.apply(server(Map.of()));
    }

    private static ServerConfig server(Map<String, String> env) {
        return BoxqConfig.fromEnv(env).server();
    }

    @Test
    void by_default_boxq_logs_at_info() {
        Logging.apply(server(Map.of()));

        assertThat(boxq.isInfoEnabled()).isTrue();
        assertThat(boxq.isDebugEnabled()).isFalse();
    }

    @Test
    void debug_true_raises_boxqs_loggers_to_debug_and_leaves_the_libraries_at_info() {
        Logging.apply(server(Map.of("DEBUG", "true")));

        assertThat(boxq.isDebugEnabled()).isTrue();
        assertThat(boxq.isTraceEnabled()).isFalse();
        assertThat(library.isInfoEnabled()).isTrue();
        assertThat(library.isDebugEnabled()).isFalse();
    }

    @Test
    void boxq_log_level_sets_every_logger_and_debug_only_raises_boxqs() {
        Logging.apply(server(Map.of("BOXQ_LOG_LEVEL", "warn")));

        assertThat(boxq.isInfoEnabled()).isFalse();
        assertThat(library.isInfoEnabled()).isFalse();
        assertThat(library.isWarnEnabled()).isTrue();

        Logging.apply(server(Map.of("BOXQ_LOG_LEVEL", "trace", "DEBUG", "true")));

        assertThat(boxq.isTraceEnabled()).as("DEBUG=true does not lower a finer level").isTrue();
    }

    @Test
    void log_format_from_the_configuration_picks_the_appender() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

        Logging.apply(server(Map.of("LOG_FORMAT", "json")));
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("json")).isNotNull();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("text")).isNull();

        Logging.apply(server(Map.of("LOG_FORMAT", "text")));
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("text")).isNotNull();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("json")).isNull();
    }
}
