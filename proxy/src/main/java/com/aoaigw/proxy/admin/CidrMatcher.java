package com.aoaigw.proxy.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Address ranges in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address), for
 * {@code server.adminAllowedCidrs}. Parsing takes literal addresses only (no DNS lookups).
 */
public final class CidrMatcher {
    private final List<Range> ranges;

    private CidrMatcher(List<Range> ranges) {
        this.ranges = ranges;
    }

    /**
     * @param cidrs ranges; malformed entries are reported by the exception
     * @return a matcher (empty list: matches everything)
     * @throws IllegalArgumentException naming the first malformed entry
     */
    public static CidrMatcher parse(List<String> cidrs) {
        List<Range> out = new ArrayList<>();
        for (String c : cidrs) {
            out.add(Range.parse(c.trim()));
        }
        return new CidrMatcher(out);
    }

    /** @return true when no range is configured (everything is allowed) */
    public boolean any() {
        return ranges.isEmpty();
    }

    /**
     * @param address an address
     * @return true when no range is configured or the address is in one
     */
    public boolean allows(InetAddress address) {
        if (ranges.isEmpty()) {
            return true;
        }
        if (address == null) {
            return false;
        }
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private record Range(byte[] network, int bits) {
        static Range parse(String cidr) {
            String addr = cidr;
            int bits = -1;
            int slash = cidr.indexOf('/');
            if (slash >= 0) {
                addr = cidr.substring(0, slash);
                try {
                    bits = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a CIDR range: '" + cidr + "'");
                }
            }
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not a literal address in '" + cidr + "'");
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address in '" + cidr + "'");
            }
            int max = bytes.length * 8;
            if (bits == -1) {
                bits = max;
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("prefix length out of range in '" + cidr + "'");
            }
            return new Range(bytes, bits);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                if (b.length == 16 && network.length == 4 && isMapped(b)) {
                    b = java.util.Arrays.copyOfRange(b, 12, 16);
                } else {
                    return false;
                }
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (b[full] & mask) == (network[full] & mask);
        }

        private static boolean isMapped(byte[] b) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return false;
                }
            }
            return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
        }
    }
}
