"""verify_webhook against signatures made by hand, as the Standard Webhooks spec says."""
import base64
import hashlib
import hmac
import time
import unittest

from boxq import WebhookVerificationError, verify_webhook

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OTHER = "whsec_" + base64.b64encode(b"another secret of 32 bytes!!!!!!").decode()


def signed(secret, body, at=None, msg_id="msg_1"):
    at = int(time.time()) if at is None else at
    key = base64.b64decode(secret[len("whsec_"):])
    sig = base64.b64encode(hmac.new(key, ("%s.%d." % (msg_id, at)).encode() + body, hashlib.sha256).digest())
    return {"Webhook-Id": msg_id, "Webhook-Timestamp": str(at), "Webhook-Signature": "v1," + sig.decode()}


class VerifyTest(unittest.TestCase):
    def test_a_signed_body_verifies_with_headers_in_any_case(self):
        verify_webhook(SECRET, signed(SECRET, b'{"a":1}'), b'{"a":1}')

    def test_any_of_several_entries_and_secrets_may_match(self):
        h = signed(OTHER, b"x")
        h["Webhook-Signature"] = "v1,bm9wZQ== " + h["Webhook-Signature"]
        verify_webhook([SECRET, OTHER], h, b"x")

    def test_a_changed_body_another_secret_or_an_old_timestamp_is_refused(self):
        for secret, headers, body in [
            (SECRET, signed(SECRET, b"x"), b"y"),
            (OTHER, signed(SECRET, b"x"), b"x"),
            (SECRET, signed(SECRET, b"x", at=int(time.time()) - 600), b"x"),
            (SECRET, {"webhook-id": "msg_1"}, b"x"),
        ]:
            with self.assertRaises(WebhookVerificationError):
                verify_webhook(secret, headers, body)


if __name__ == "__main__":
    unittest.main()
