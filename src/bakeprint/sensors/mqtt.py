"""`bakeprint sensors listen`: readings from an MQTT broker into the database.

Delivery guarantee (QoS 1, at least once, stored exactly once):
- a persistent session (fixed client id, clean_session false), so the broker
  keeps the subscription and queues readings while the listener is away, and
  paho reconnects by itself after a broker restart;
- manual acknowledgement: a message is acknowledged only after the transaction
  that stored it committed. A crash before that means the broker sends it
  again; the hour-block merge recognises the repeat and stores it once;
- messages are stored in small batches (every ``flush_s`` or ``batch`` messages)
  so the database sees a few transactions per second, not one per reading.
The listener never crashes on input: what cannot be read goes to the
dead-letter table of the topic's bakery (an unknown bakery is logged).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bakeprint import reactions
from bakeprint.db import Database
from bakeprint.identity import service as identity
from bakeprint.sensors import parsing
from bakeprint.sensors import service as sensors

log = logging.getLogger("bakeprint.mqtt")
TOPIC_ALL = "bakeprint/+/sensors/+"


IDLE_S = 0.01


@dataclass
class Stats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    dropped: int = 0  # unknown bakery: nowhere to keep it
    batches: int = 0
    connects: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Msg:
    mid: int
    qos: int
    topic: str
    payload: bytes


class Listener:
    def __init__(
        self,
        database: Database,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        tenants: list[str] | None = None,
        client_id: str = "bakeprint-listener",
        flush_s: float = 0.2,
        batch: int = 5000,
    ) -> None:
        reactions.install()  # readings it stores raise alerts as uploads do
        self.db = database
        self.host, self.port = host, port
        self.topics = (
            [f"bakeprint/{t}/sensors/+" for t in tenants] if tenants else [TOPIC_ALL]
        )
        self.flush_s, self.batch = flush_s, batch
        self.stats = Stats()
        self.connected = threading.Event()
        self._inbox: queue.Queue[_Msg] = queue.Queue()
        self._tenants: dict[str, uuid.UUID | None] = {}
        self._stop = threading.Event()
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # --- paho callbacks (network thread) ---------------------------------------

    def _on_connect(self, client: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            log.warning("broker refused the connection: %s", rc)
            return
        self.stats.connects += 1
        for topic in self.topics:
            client.subscribe(topic, qos=1)
        log.info(
            "connected to %s:%s, listening on %s", self.host, self.port, self.topics
        )
        self.connected.set()

    def _on_disconnect(self, *_: Any) -> None:
        self.connected.clear()
        log.warning("lost the broker; reconnecting")

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self.stats.received += 1
        self._inbox.put(_Msg(msg.mid, msg.qos, msg.topic, bytes(msg.payload)))

    # --- storing (listener thread) ---------------------------------------------

    def _tenant(self, slug: str) -> uuid.UUID | None:
        if slug not in self._tenants:
            with self.db.session(write=False) as s:
                t = identity.tenant_by_slug(s, slug)
                self._tenants[slug] = t.id if t else None
        return self._tenants[slug]

    def _drain(self) -> list[_Msg]:
        """Wait up to ``flush_s`` for a first message, then take what keeps
        arriving (a lull of 10 ms ends the batch: the broker only sends so many
        unacknowledged messages, so waiting longer would just stall it)."""
        out: list[_Msg] = []
        try:
            out.append(self._inbox.get(timeout=self.flush_s))
        except queue.Empty:
            return out
        deadline = time.monotonic() + self.flush_s
        while len(out) < self.batch:
            timeout = min(IDLE_S, deadline - time.monotonic())
            if timeout <= 0:
                break
            try:
                out.append(self._inbox.get(timeout=timeout))
            except queue.Empty:
                break
        return out

    def _store(self, msgs: list[_Msg]) -> None:
        per_tenant: dict[uuid.UUID, list[sensors.RawReading]] = defaultdict(list)
        for m in msgs:
            parsed = parsing.mqtt_message(m.topic, m.payload)
            if parsed is None:
                self.stats.dropped += 1
                continue
            slug, reading = parsed
            tenant = self._tenant(slug)
            if tenant is None:
                self.stats.dropped += 1
                log.warning(
                    "reading for unknown bakery %r on %s dropped", slug, m.topic
                )
                continue
            per_tenant[tenant].append(reading)
        with self.db.session() as s:
            for tenant, readings in per_tenant.items():
                result = sensors.ingest(s, tenant, readings, source="mqtt")
                self.stats.stored += result.accepted
                self.stats.duplicates += result.duplicates
                self.stats.rejected += result.rejected
        self.stats.batches += 1

    def _ack(self, msgs: list[_Msg]) -> None:
        for m in msgs:
            if m.qos > 0:
                self.client.ack(m.mid, m.qos)

    def step(self) -> int:
        """Store what has arrived; returns how many messages were handled."""
        msgs = self._drain()
        if not msgs:
            return 0
        while not self._stop.is_set():
            try:
                self._store(msgs)
                break
            except Exception as exc:  # the DB is away: keep the batch, retry
                self.stats.errors.append(str(exc)[:200])
                log.error("could not store %d readings, retrying: %s", len(msgs), exc)
                time.sleep(1.0)
        else:
            return 0  # stopping: unacknowledged, the broker will send them again
        self._ack(msgs)
        return len(msgs)

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def run(self, stop: threading.Event | None = None) -> None:
        """Listen until ``stop`` is set (or forever)."""
        self._stop = stop or self._stop
        self.start()
        try:
            while not self._stop.is_set():
                self.step()
        finally:
            self.step_all()
            self.client.loop_stop()
            self.client.disconnect()

    def step_all(self) -> None:
        """Store whatever is already queued (used when stopping)."""
        while not self._inbox.empty():
            msgs = self._drain()
            if not msgs:
                break
            try:
                self._store(msgs)
            except Exception as exc:
                log.error("stopping with %d readings unstored: %s", len(msgs), exc)
                return
            self._ack(msgs)
