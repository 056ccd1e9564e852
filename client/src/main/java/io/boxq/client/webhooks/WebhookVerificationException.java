package io.boxq.client.webhooks;

import io.boxq.client.errors.BoxqException;

/** A delivery that does not carry a valid signature of ours: answer it with a 4xx and do not act on it. */
public final class WebhookVerificationException extends BoxqException {
    public WebhookVerificationException(String message) {
        super(message);
    }
}
