import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the topics listed in topics.txt that do not exist yet: java -cp "lib/*" CreateTopics.java <bootstrap> <topics.txt> */
public class CreateTopics {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> wanted = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(args[1]))) {
                String[] parts = line.trim().split("\\s+");
                if (line.isBlank() || line.startsWith("#") || existing.contains(parts[0])) {
                    continue;
                }
                wanted.add(new NewTopic(parts[0], Integer.parseInt(parts[1]), (short) 1)
                        .configs(Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000),
                                // a RunRequested carries a whole brief (up to 1 MiB) and its task
                                "max.message.bytes", String.valueOf(4 * 1024 * 1024))));
            }
            if (!wanted.isEmpty()) {
                admin.createTopics(wanted).all().get();
            }
            System.out.println("topics ready: " + (existing.size() + wanted.size()) + " (" + wanted.size() + " created)");
        }
    }
}
