import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Two checks of section 2.3's Java buffer pool, each printing one JSON line.
 *
 * <p>{@code java [-XX:+DisableExplicitGC] -XX:MaxDirectMemorySize=32m SeedBuffers.java direct N}
 * allocates N 1 MiB direct buffers, dropping each one at once, and reports whether
 * "OutOfMemoryError: Direct buffer memory" was thrown. The JDK frees unreachable direct
 * buffers only after a GC; when direct memory runs short it calls System.gc(), which
 * -XX:+DisableExplicitGC turns into a no-op.
 *
 * <p>{@code java SeedBuffers.java clear} writes a secret into a pooled direct buffer, calls
 * clear() as the source's acquire() does, writes a shorter second request and counts the bytes
 * of the first request still readable in the buffer.
 */
public final class SeedBuffers {
    public static void main(String[] args) {
        if (args.length >= 1 && args[0].equals("direct")) {
            int n = args.length > 1 ? Integer.parseInt(args[1]) : 256;
            direct(n);
        } else if (args.length == 1 && args[0].equals("clear")) {
            clear();
        } else {
            System.err.println("usage: SeedBuffers direct N | clear");
            System.exit(2);
        }
    }

    private static void direct(int n) {
        boolean disabled = java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments().contains("-XX:+DisableExplicitGC");
        int allocated = 0;
        String error = "";
        long sink = 0;
        try {
            for (int i = 0; i < n; i++) {
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                buf.put(0, (byte) i);
                sink += buf.get(0);
                allocated++;
            }
        } catch (OutOfMemoryError e) {
            error = String.valueOf(e.getMessage());
        }
        System.out.printf("{\"check\":\"direct\",\"disable_explicit_gc\":%b,\"requested\":%d,\"allocated\":%d,"
                + "\"oom\":%b,\"error\":\"%s\",\"max_direct_memory_mib\":%d,\"sink\":%d}%n",
                disabled, n, allocated, !error.isEmpty(), error.replace("\"", "'"),
                maxDirect() >> 20, sink);
    }

    private static long maxDirect() {
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) {
                String v = a.substring(a.indexOf('=') + 1).toLowerCase();
                long mult = v.endsWith("m") ? 1L << 20 : v.endsWith("k") ? 1L << 10 : v.endsWith("g") ? 1L << 30 : 1;
                return Long.parseLong(v.replaceAll("[kmg]$", "")) * mult;
            }
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static void clear() {
        ThreadLocal<ByteBuffer> pool = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(4096));
        byte[] first = "{\"card\":\"4111-1111-1111-1111\",\"user\":\"alice\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "{\"user\":\"bob\"}".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = pool.get();
        buf.clear();
        buf.put(first);
        buf = pool.get();          // the next request gets the same buffer
        buf.clear();               // the source's "explicit reset"
        buf.put(second);
        // A reader that trusts the buffer's limit rather than what was written sees the old bytes.
        byte[] seen = new byte[first.length];
        buf.get(0, seen);
        int stale = 0;
        for (int i = second.length; i < first.length; i++) {
            if (seen[i] == first[i]) {
                stale++;
            }
        }
        System.out.printf("{\"check\":\"clear\",\"first_request_bytes\":%d,\"second_request_bytes\":%d,"
                + "\"stale_bytes_after_clear\":%d,\"position_after_clear\":0,\"limit_after_clear\":%d,"
                + "\"visible\":\"%s\"}%n",
                first.length, second.length, stale, buf.capacity(),
                new String(seen, StandardCharsets.US_ASCII).replace("\"", "'"));
    }
}
