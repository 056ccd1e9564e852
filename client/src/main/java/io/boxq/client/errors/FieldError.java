package io.boxq.client.errors;

/** One entry of a problem's {@code errors}: the field at fault (e.g. {@code timeout_s}, {@code jobs[1].command}) and why. */
public record FieldError(String field, String message) {}
