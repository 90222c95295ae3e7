"""A proxy on 127.0.0.1 that puts a long link between a client and the Cognito emulator, for
scripts/bench: every request reaches the emulator DELAY_MS after the client sent it, and every
answer reaches the client DELAY_MS after the emulator gave it — on each connection in order,
and on separate connections independently (calls in flight together are not queued behind
each other's delay, as on a long link with bandwidth to spare).

It speaks HTTP/1.1 to the client and keeps the client's connection open between calls, as AWS
does (the emulator's server closes every connection after one answer; the proxy opens one to
it per call, on loopback, which costs nothing here). Opening a connection to the proxy costs
nothing either, where a real one to AWS costs a TCP and a TLS handshake: the log says how many
connections a run opened, and how many calls each carried.

Each call is logged to LOG as a JSON line {"conn", "n", "op", "start", "end"} (seconds: when
the request arrived from the client, when the answer was handed back).

Usage: python latency_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS LOG
"""

import asyncio
import itertools
import json
import re
import sys

LISTEN, UPSTREAM, DELAY, LOG = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0, sys.argv[4]
TARGET = re.compile(rb"^x-amz-target:\s*[\w.]*?(\w+)\s*$", re.IGNORECASE | re.MULTILINE)
LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)
CLOSE = re.compile(rb"^connection:[^\r\n]*\r\n", re.IGNORECASE | re.MULTILINE)
connections = itertools.count(1)


async def until(moment):
    wait = moment - asyncio.get_running_loop().time()
    if wait > 0:
        await asyncio.sleep(wait)


async def handle(client_reader, client_writer):
    loop = asyncio.get_running_loop()
    conn = next(connections)
    for n in itertools.count(1):
        try:
            head = await client_reader.readuntil(b"\r\n\r\n")
            length = LENGTH.search(head)
            body = await client_reader.readexactly(int(length.group(1)) if length else 0)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            break
        start = loop.time()
        target = TARGET.search(head)
        op = target.group(1).decode() if target else ""
        await until(start + DELAY)
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
            upstream_writer.write(head + body)
            await upstream_writer.drain()
            answer = await upstream_reader.read()
            upstream_writer.close()
        except ConnectionError:
            break
        answered = loop.time()
        # Keep the client's connection open, as AWS does.
        split = answer.find(b"\r\n\r\n")
        if split >= 0:
            answer = CLOSE.sub(b"", answer[: split + 2]) + b"Connection: keep-alive\r\n" + answer[split + 2 :]
        await until(answered + DELAY)
        try:
            client_writer.write(answer)
            await client_writer.drain()
        except ConnectionError:
            break
        with open(LOG, "a") as log:
            log.write(json.dumps({"conn": conn, "n": n, "op": op, "start": start, "end": loop.time()}) + "\n")
    try:
        client_writer.close()
    except Exception:
        pass


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
