"""A real SMTP server for the email tests: aiosmtpd on loopback, keeping every message.

Usage: python3 tests/smtp_sink.py PORT DIR [--log-only]
Each message is written to DIR/NNNNNN.eml (not with --log-only, for benchmarks); DIR/received.log
gets one line per message with its Message-ID, so a test can count arrivals and duplicates. Recipients whose address starts with
"bounce" are refused with a permanent 550. Prints "ready" once listening.
"""

import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, keep):
        self.folder = folder
        self.keep = keep
        self.count = 0
        self.lock = threading.Lock()
        self.log = open(os.path.join(folder, "received.log"), "a", buffering=1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        message_id = ""
        for line in data.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode("ascii", "replace")
        with self.lock:
            self.count += 1
            if self.keep:
                name = os.path.join(self.folder, "%06d.eml" % self.count)
                with open(name, "wb") as out:
                    out.write(data)
            self.log.write("%s %s\n" % (message_id, ",".join(envelope.rcpt_tos)))
        return "250 Message accepted"


def main():
    port = int(sys.argv[1])
    folder = sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder, "--log-only" not in sys.argv), hostname="127.0.0.1", port=port, data_size_limit=10_000_000)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
