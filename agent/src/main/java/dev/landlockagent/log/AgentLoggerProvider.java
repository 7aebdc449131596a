package dev.landlockagent.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the agent's own (relocated) SLF4J: it writes {@code [landlock-agent] LEVEL
 * message} lines to stderr, at the level the system property {@value AgentLogger#LEVEL_PROPERTY}
 * sets (info by default). Relocation keeps it apart from any SLF4J the application has, so
 * neither sees the other's bindings.
 */
public final class AgentLoggerProvider implements SLF4JServiceProvider {
    private final ILoggerFactory factory = new ILoggerFactory() {
        @Override
        public org.slf4j.Logger getLogger(String name) {
            return new AgentLogger(name);
        }
    };
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up
    }
}
