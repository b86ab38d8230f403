import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Waits until a Kafka broker lists its topics, the readiness check of start.sh.
 *
 * <p>Usage: {@code java -cp '<kafka libs>/*' KafkaReady.java BOOTSTRAP TIMEOUT_SECONDS [PID]}.
 * When PID is given, the check stops as soon as that process has exited.
 *
 * <p>Exit codes: 0 when the broker responded, 1 when the timeout passed, 2 when the
 * broker process exited, 64 on invalid arguments.
 */
public final class KafkaReady {
    private static final long POLL_INTERVAL_MS = 500;

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 3) {
            exitWithUsage("expected 2 or 3 arguments, got " + args.length);
        }
        String bootstrap = args[0];
        long timeoutMs = 0;
        long brokerPid = -1;
        try {
            timeoutMs = TimeUnit.SECONDS.toMillis(Long.parseLong(args[1]));
            if (args.length == 3) {
                brokerPid = Long.parseLong(args[2]);
            }
        } catch (NumberFormatException e) {
            exitWithUsage("TIMEOUT_SECONDS and PID must be integers: " + e.getMessage());
        }

        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "cloudburst-services-ready-check");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");

        long deadline = System.currentTimeMillis() + timeoutMs;
        Exception lastError = null;
        try (Admin admin = Admin.create(config)) {
            while (true) {
                if (brokerPid > 0 && !isAlive(brokerPid)) {
                    System.err.println("Kafka broker process " + brokerPid + " exited before it responded");
                    System.exit(2);
                }
                try {
                    Set<String> topics = admin.listTopics().names().get(3, TimeUnit.SECONDS);
                    System.out.println("Kafka broker at " + bootstrap + " responded: " + topics.size() + " topic(s)");
                    System.exit(0);
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                }
                if (System.currentTimeMillis() >= deadline) {
                    System.err.println("Kafka broker at " + bootstrap + " did not respond within "
                            + args[1] + " s; last error: " + lastError);
                    System.exit(1);
                }
                Thread.sleep(POLL_INTERVAL_MS);
            }
        }
    }

    private static void exitWithUsage(String problem) {
        System.err.println("invalid arguments: " + problem);
        System.err.println("usage: KafkaReady BOOTSTRAP TIMEOUT_SECONDS [PID]");
        System.exit(64);
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
