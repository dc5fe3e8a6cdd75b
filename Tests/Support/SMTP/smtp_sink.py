#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd, from PyPI): listens on a free loopback port, prints
that port on its first line, and writes every message it accepts to DIR as one JSON file
(recipients, decoded subject, decoded text), so a test reads what a mail client would show.

    python3 smtp_sink.py DIR [PORT]    # PORT: listen there (a server that comes back up)
"""
import email, email.policy, json, os, signal, socket, sys, uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "to": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "header_to": str(message["To"] or ""),
            "subject": str(message["Subject"] or ""),
            "text": body.get_content() if body is not None else "",
        }
        name = uuid.uuid4().hex
        temporary = os.path.join(self.folder, "." + name)
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(temporary, os.path.join(self.folder, name + ".json"))
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    port = int(sys.argv[2]) if len(sys.argv) > 2 else free_port()
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    # The test process may have SIGTERM ignored or blocked, and a child inherits both: restore it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    controller.start()
    print(port, flush=True)
    # Ends with the test that started it, even one that crashed: its end closes our stdin.
    sys.stdin.buffer.read()
    controller.stop()
