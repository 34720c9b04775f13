package com.aoaigw.proxy.state;

/**
 * The answer to an admission.
 *
 * @param refused   the index of the first check without room, or -1 when admitted (and everything was reserved)
 * @param used      per check: what the window/counter/slots hold now (after the reservation when admitted)
 * @param resetMs   per check: milliseconds until the window is empty again (a period: until it ends)
 * @param retryMs   for the refused check: milliseconds until it has room for this admission; 0 when admitted
 */
public record Admission(int refused, long[] used, long[] resetMs, long retryMs) {
    /** @return true when every check had room */
    public boolean admitted() {
        return refused < 0;
    }
}
