import java.lang.reflect.Field;
import java.util.Arrays;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Starts AWS's DynamoDB Local bound to one address (127.0.0.1), and stops it when
 * its standard input closes, that is when the Node process that started it dies.
 *
 * DynamoDBLocal.jar has no host option: its DynamoDBProxyServer builds a Jetty
 * Server on a port only, which listens on every interface. This sets the host of
 * that server's connectors before it starts. Everything goes through reflection,
 * so this file compiles without the jar (see infra/local/dynamodb-local.ts and
 * README "The local stack").
 *
 *   java DynamoDbLocalLoopback.java --compile <this file> <out dir>   compile once, into a cache
 *   java -cp <out dir>:DynamoDBLocal.jar DynamoDbLocalLoopback <host> <DynamoDB Local options...>
 */
public final class DynamoDbLocalLoopback {
  private DynamoDbLocalLoopback() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--compile")) {
      JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
      if (compiler == null) System.exit(3);
      System.exit(compiler.run(null, null, null, "--release", "11", "-d", args[2], args[1]));
    }
    String host = args[0];
    String[] options = Arrays.copyOfRange(args, 1, args.length);

    Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) options);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, host);
    }

    // The parent holds the other end of stdin: end of input means it is gone, however it died.
    Thread lifeline = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever sent; only the end matters.
        }
      } catch (Exception ignored) {
        // A broken pipe means the same as end of input.
      }
      System.exit(0);
    }, "parent-lifeline");
    lifeline.setDaemon(true);
    lifeline.start();

    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
