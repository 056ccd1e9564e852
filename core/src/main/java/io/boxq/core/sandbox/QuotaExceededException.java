package io.boxq.core.sandbox;

/** A limit stopped a request: {@code limit} names it ({@code tier}, {@code api_key}, {@code user}, {@code system}). */
public class QuotaExceededException extends RuntimeException {
    private final String limit;

    public QuotaExceededException(String limit, String message) {
        super(message);
        this.limit = limit;
    }

    public String limit() {
        return limit;
    }
}
