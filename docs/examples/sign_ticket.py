"""Sign a dts-trust ticket body (JSON on stdin) and print the dts-trust/v1 message; with --mns-body, print the
base64 MNS message body instead (what goes into <MessageBody> of SendMessage).

    DTS_TRUST_TICKET_KEY_ID=jira-2026 DTS_TRUST_TICKET_KEY_SECRET=... python3 sign_ticket.py < ticket.json

Python 3.8+, standard library only. See docs/ticket-signing.md for where this canonical form equals RFC 8785.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import uuid


def canonical(body):
    # RFC 8785 (JCS) for ticket bodies: ensure_ascii=False keeps non-ASCII text as UTF-8 (the default escapes it as
    # \\u00e9 and signs other bytes), no whitespace, keys sorted. Limits: see docs/ticket-signing.md.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode("utf-8")


def sign(body, key_id, secret):
    signature = hmac.new(secret.encode("utf-8"), canonical(body), hashlib.sha256).hexdigest()
    return {"schema": "dts-trust/v1", "keyId": key_id, "signature": signature, "body": body}


def main():
    body = json.load(sys.stdin)
    body.setdefault("id", str(uuid.uuid4()))
    body.setdefault("issuedAt", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    message = sign(body, os.environ["DTS_TRUST_TICKET_KEY_ID"], os.environ["DTS_TRUST_TICKET_KEY_SECRET"])
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    if "--mns-body" in sys.argv:
        print(base64.b64encode(text.encode("utf-8")).decode("ascii"))
    else:
        print(text)


if __name__ == "__main__":
    main()
