package com.aoaigw.proxy.reliability;

import com.aoaigw.config.Azurite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a local service (bytes copied both ways, TLS passes through untouched) that a
 * test can switch {@link #down()} (listener closed, live connections cut: connection refused) and {@link #up()}
 * again on the same port.
 */
final class TcpRelay implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.port = Azurite.freePort();
        up();
    }

    int port() {
        return port;
    }

    synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = s;
        Thread.ofVirtual().start(() -> acceptLoop(s));
    }

    synchronized void down() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        for (Socket c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        open.clear();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out = new Socket();
                try {
                    out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                } catch (IOException e) {
                    in.close();
                    continue;
                }
                open.add(in);
                open.add(out);
                Thread.ofVirtual().start(() -> pipe(in, out));
                Thread.ofVirtual().start(() -> pipe(out, in));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
            i.transferTo(o);
        } catch (IOException ignored) {
            // one side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing
            }
            open.remove(from);
            open.remove(to);
        }
    }

    @Override
    public void close() {
        down();
    }
}
