import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Minimal /healthz server on the JDK's built-in com.sun.net.httpserver, with
 * its default executor.
 *
 * <p>Usage: {@code java -cp DIR HealthServer --port 8084 [--host 127.0.0.1]}
 *
 * <p>GET /healthz answers 200 "ok\n" with a fixed Content-Length over
 * keep-alive. Once listening it prints "READY http://host:port"; SIGTERM
 * runs a shutdown hook that stops the server and exits with status 0.
 */
public final class HealthServer {
    private static final byte[] BODY = "ok\n".getBytes(StandardCharsets.US_ASCII);

    private HealthServer() {}

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 8084;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--host":
                    host = value;
                    break;
                case "--port":
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        usage("invalid port " + value);
                    }
                    break;
                default:
                    usage("unknown argument " + arg);
            }
        }

        // Headers and body are written separately; with Nagle's algorithm on,
        // the body waits for the client's delayed ACK (~40 ms per request on
        // Linux). Go, Node and uvicorn set TCP_NODELAY by default; so do we.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/healthz", HealthServer::handle);
        server.start();
        // SIGTERM/SIGINT run shutdown hooks. Stop the server, then halt with
        // status 0: otherwise the JVM reports 143 (128 + SIGTERM).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            Runtime.getRuntime().halt(0);
        }));

        InetSocketAddress addr = server.getAddress();
        String h = addr.getAddress().getHostAddress();
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        System.out.println("READY http://" + h + ":" + addr.getPort());
        System.out.flush();
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals("/healthz")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(BODY);
            }
        }
    }

    private static void usage(String problem) {
        System.err.println("HealthServer: " + problem);
        System.err.println("usage: java -cp DIR HealthServer --port N [--host H]");
        System.exit(2);
    }
}
