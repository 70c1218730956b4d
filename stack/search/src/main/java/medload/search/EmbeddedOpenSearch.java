package medload.search;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node running inside this JVM, for medload's local stack.
 *
 * Arguments are node settings in the form {@code key=value} (for example
 * {@code path.home=/x http.port=9210}). Defaults make a single-node cluster on
 * 127.0.0.1 that never goes red because of a small disk. The process stays up
 * until it gets SIGTERM/SIGINT, then closes the node cleanly and exits 0.
 */
public final class EmbeddedOpenSearch {

    /** Node with plugins taken from the classpath (the constructor for that is protected). */
    static final class ClasspathPluginNode extends Node {
        ClasspathPluginNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    /** Console logging (the control script sends stdout to the log file). */
    static final String DEFAULT_LOG4J2 = String.join("\n",
        "status = error",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n",
        "rootLogger.level = info",
        "rootLogger.appenderRef.console.ref = console",
        "logger.deprecation.name = org.opensearch.deprecation",
        "logger.deprecation.level = error",
        "");

    private EmbeddedOpenSearch() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder b = Settings.builder()
            .put("cluster.name", "medload")
            .put("node.name", "medload-os")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "9210")
            .put("transport.port", "9310")
            .put("cluster.routing.allocation.disk.threshold_enabled", "false")
            .put("action.destructive_requires_name", "false");
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                System.err.println("medload-opensearch: bad argument (want key=value): " + a);
                System.exit(2);
            }
            b.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Settings settings = b.build();
        String home = settings.get("path.home");
        if (home == null || home.isEmpty()) {
            System.err.println("medload-opensearch: path.home=<dir> is required");
            System.exit(2);
        }
        Path homePath = Paths.get(home);
        Files.createDirectories(homePath.resolve("config"));
        Files.createDirectories(homePath.resolve("plugins"));
        Files.createDirectories(homePath.resolve("modules"));

        Path log4jConfig = homePath.resolve("config").resolve("log4j2.properties");
        if (!Files.exists(log4jConfig)) {
            Files.writeString(log4jConfig, DEFAULT_LOG4J2);
        }

        Environment env = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Collections.emptyMap(), homePath.resolve("config"), () -> settings.get("node.name"));
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(settings.get("node.name"));
        LogConfigurator.configure(env);

        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        plugins.add(Netty4Plugin.class);
        plugins.add(CommonAnalysisPlugin.class);
        plugins.add(PainlessPlugin.class);
        plugins.add(ReindexPlugin.class);

        final Node node = new ClasspathPluginNode(env, plugins);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(20, TimeUnit.SECONDS)) {
                    System.err.println("medload-opensearch: node did not close within 20 s");
                }
            } catch (Exception e) {
                System.err.println("medload-opensearch: error while closing: " + e);
            } finally {
                stopped.countDown();
            }
        }, "medload-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            System.err.println("medload-opensearch: start failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("medload-opensearch: started, http 127.0.0.1:" + settings.get("http.port"));
        // Keep main alive until the shutdown hook has closed the node.
        stopped.await();
    }
}
