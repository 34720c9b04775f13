package com.aoaigw.proxy.reliability;

import java.nio.file.Path;

import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.aoaigw.config.FileConfigStore;

/**
 * Child-JVM program of {@link ConfigDurabilityIT}: writes a document of the given size through a
 * {@link FileConfigStore}, under a file-size limit set by the parent ({@code ulimit -f}), so that the write fails
 * half way like on a full disk. Prints {@code WRITE-OK <etag>} or {@code WRITE-FAILED <message>}.
 */
public final class StoreWriteMain {
    private StoreWriteMain() {
    }

    /**
     * @param args the config path and the size of the new document in bytes
     */
    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int size = Integer.parseInt(args[1]);
        try (FileConfigStore store = new FileConfigStore(path)) {
            ConfigStore.Versioned v = store.read();
            String doc = "{\"padding\":\"" + "x".repeat(Math.max(0, size - 16)) + "\"}";
            try {
                System.out.println("WRITE-OK " + store.write(doc, v.etag()));
            } catch (ConfigStoreException e) {
                System.out.println("WRITE-FAILED " + e.getMessage());
            }
        }
        System.out.flush();
    }
}
