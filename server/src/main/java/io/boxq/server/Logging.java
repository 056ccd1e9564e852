package io.boxq.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import io.boxq.core.config.ServerConfig;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * Gives Logback the configuration's logging settings once the configuration is read. Logback set
 * itself up from {@code logback.xml} and the real environment before {@code Main} read {@code .env},
 * so this runs that file again with {@code LOG_FORMAT} and {@code BOXQ_LOG_LEVEL} as the
 * configuration has them (real variables, else {@code .env}), then raises boxq's own loggers to
 * DEBUG when {@code DEBUG=true}.
 */
final class Logging {
    /** The loggers {@code DEBUG=true} turns up: boxq's, not the libraries'. */
    static final String BOXQ = "io.boxq";

    private Logging() {}

    static void apply(ServerConfig server) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: it has its own configuration
        }
        URL file = ConfigurationWatchListUtil.getMainWatchURL(context);
        if (file != null) {
            // System properties, which logback.xml's ${…} reads before the environment: context
            // properties would show up in every line of the JSON format.
            System.setProperty("LOG_FORMAT", server.logFormat());
            System.setProperty("BOXQ_LOG_LEVEL", server.logLevel());
            context.reset();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            try {
                configurator.doConfigure(file);
            } catch (JoranException e) {
                System.err.println("boxq: cannot configure logging from " + file + ": " + e.getMessage());
            }
        }
        ch.qos.logback.classic.Logger boxq = context.getLogger(BOXQ);
        if (server.debug() && boxq.getEffectiveLevel().isGreaterOrEqual(Level.DEBUG)) {
            boxq.setLevel(Level.DEBUG);
        }
    }
}
