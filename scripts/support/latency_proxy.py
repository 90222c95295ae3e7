"""A proxy on 127.0.0.1 that puts a long link between a client and a server, for
scripts/bench: every byte is delivered DELAY_MS late in each direction, chunks keep their
order and are not queued behind each other's delay (a chunk read at t leaves at t + delay,
as on a long link with bandwidth to spare). Opening a connection costs nothing here (a real
one to AWS costs a TCP and a TLS handshake): the connection count in the log says how many
a run opened.

Each HTTP request/response exchange on a connection is logged to LOG as a JSON line
{"conn", "n", "op", "start", "end"} (times in seconds; a later line for the same conn and n
replaces an earlier one), so the bench can count the calls, the connections, and the calls
on the critical path.

Usage: python latency_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS LOG
"""

import asyncio
import itertools
import json
import re
import sys

LISTEN, UPSTREAM, DELAY, LOG = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0, sys.argv[4]
TARGET = re.compile(rb"X-Amz-Target:\s*[\w.]*?\.?(\w+)\r\n", re.IGNORECASE)
connections = itertools.count(1)


class Exchange:
    """The request/response exchanges of one connection (HTTP/1.1: one at a time)."""

    def __init__(self, conn):
        self.conn, self.n, self.op, self.start, self.end = conn, 0, "", None, None
        self.responding = True

    def request_bytes(self, now, data):
        if self.responding:
            self.n += 1
            self.start, self.end, self.op, self.responding = now, None, "", False
        if not self.op:
            found = TARGET.search(data)
            if found:
                self.op = found.group(1).decode()

    def response_bytes(self, now):
        self.responding = True
        self.end = now
        with open(LOG, "a") as log:
            log.write(json.dumps({"conn": self.conn, "n": self.n, "op": self.op, "start": self.start, "end": self.end}) + "\n")


async def pump(reader, writer, on_read=None, on_delivered=None):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                try:
                    writer.close()
                except Exception:
                    pass
                return
            writer.write(data)
            try:
                await writer.drain()
            except Exception:
                return
            if on_delivered:
                on_delivered(loop.time())

    delivering = asyncio.create_task(deliver())
    while True:
        try:
            data = await reader.read(65536)
        except Exception:
            data = b""
        now = loop.time()
        if data and on_read:
            on_read(now, data)
        queue.put_nowait((now + DELAY, data or None))
        if not data:
            break
    await delivering


async def handle(client_reader, client_writer):
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
    except Exception:
        client_writer.close()
        return
    exchange = Exchange(next(connections))
    await asyncio.gather(
        pump(client_reader, upstream_writer, on_read=exchange.request_bytes),
        pump(upstream_reader, client_writer, on_delivered=exchange.response_bytes),
    )


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
