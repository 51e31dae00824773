"""Handing an outbox message to the worker: the one task the services enqueue.

A module of its own so that services.py can enqueue without importing tasks.py, whose periodic
tasks run the jobs, which use the services (that was an import cycle). NotificationsConfig.ready
imports it with tasks.py, so the consumer knows every task.
"""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from anskaf.observability import context as request_context

from . import delivery

log = logging.getLogger(__name__)


@db_task(name="anskaf.deliver_message")
def deliver_message(message_pk: int, request_id: str | None = None) -> str:
    """Deliver under the id of the request that wrote the message: the worker's log lines for
    it carry the same request id as the web's."""
    with request_context.bound_request_id(request_id):
        return delivery.deliver(message_pk)


def enqueue_delivery(message_pk: int) -> None:
    """Hand a message to the worker. If the queue is down the periodic sweep sends it later."""
    try:
        deliver_message(message_pk, request_id=request_context.request_id())
    except Exception:  # the queue's own errors (Redis down, ...): the sweep is the safety net
        log.warning("could not enqueue outbox message %s; the sweep will send it", message_pk,
                    exc_info=True)
