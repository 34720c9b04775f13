package com.aoaigw.proxy.limit;

/** A request that the limits do not admit; carries the {@link Refusal} the request path renders. */
public final class LimitExceededException extends RuntimeException {
    private final transient Refusal refusal;

    /** @param refusal why */
    public LimitExceededException(Refusal refusal) {
        super(refusal.message(), null, false, false);
        this.refusal = refusal;
    }

    /** @return why */
    public Refusal refusal() {
        return refusal;
    }
}
