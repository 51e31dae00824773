"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, collecting what it accepts."""

from __future__ import annotations

import email
import socket
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def start(port: int, collector: Collector) -> Controller:
    """A stopped Controller cannot be restarted: each start makes a new one on the port."""
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def smtp_settings(settings, port: int) -> None:
    """pytest-django swaps in the locmem backend: put the real SMTP backend back."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
