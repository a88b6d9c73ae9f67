"""A real SMTP server for the tests: Debian's aiosmtpd on a free loopback
port, keeping every message it accepts. `refuse` maps a recipient to a 5xx
reply for RCPT TO; stop() and start() take it down and back on the same
port (the "SMTP server down" case)."""
import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, options):
        reply = self.sink.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            for rcpt in envelope.rcpt_tos:
                self.sink.messages.append((rcpt.lower(), envelope.content))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port):
        self.port = port
        self.messages = []
        self.refuse = {}
        self.lock = threading.Lock()
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1",
                                     port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def parsed(self):
        """[(rcpt, email.message.EmailMessage)] of everything received."""
        with self.lock:
            got = list(self.messages)
        return [(r, email.message_from_bytes(c, policy=email.policy.default))
                for r, c in got]

    def count(self):
        with self.lock:
            return len(self.messages)
