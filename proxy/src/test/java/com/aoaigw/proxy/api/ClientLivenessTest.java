package com.aoaigw.proxy.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel-table lookup of {@link ClientLiveness}, on hand-written tables in the format of /proc/net/tcp. */
class ClientLivenessTest {
    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode\n";

    @TempDir
    Path dir;

    private final InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3000);
    private final InetSocketAddress client = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000);

    @Test
    void keysAreTheKernelsHexInMachineOrderForIpv4AndItsMappedForm() {
        List<String> keys = ClientLiveness.keys(proxy, client);
        String lo = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0100007F" : "7F000001";
        String mapped = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? "0000000000000000FFFF0000" + lo : "00000000000000000000FFFF" + lo;
        assertEquals(List.of(lo + ":0BB8 " + lo + ":C350", mapped + ":0BB8 " + mapped + ":C350"), keys);
    }

    @Test
    void establishedIsAliveCloseWaitIsGoneAndAMissingEntryIsGoneOnlyTwiceInARow() throws Exception {
        String key = ClientLiveness.keys(proxy, client).getFirst();
        String[] parts = key.split(" ");
        // the client's own end of the connection (reversed) must not be mistaken for the proxy's
        String reversed = "   1: " + parts[1] + " " + parts[0] + " 08 00000000:00000000 00:00000000 00000000  0 0 2 1\n";
        assertFalse(probe(HEADER + "   0: " + parts[0] + " " + parts[1] + " 01 0 0 0 0 0 1\n" + reversed).getAsBoolean());
        assertTrue(probe(HEADER + "   0: " + parts[0] + " " + parts[1] + " 08 0 0 0 0 0 1\n").getAsBoolean());
        BooleanSupplier missing = probe(HEADER + reversed);
        assertFalse(missing.getAsBoolean(), "one read without the entry may have missed it");
    }

    @Test
    void withoutAKernelTableNothingIsWatched() {
        assertNull(new ClientLiveness(List.of(dir.resolve("none"))).probe(proxy, client));
    }

    private BooleanSupplier probe(String table) throws Exception {
        Path p = Files.createTempFile(dir, "tcp", "");
        Files.writeString(p, table);
        return new ClientLiveness(List.of(p)).probe(proxy, client);
    }
}
