"""A fault-injecting HTTP proxy for cognito-entra's tests: sits on 127.0.0.1 between the tool
and the Cognito emulator and, for one chosen API operation (read from X-Amz-Target), makes the
next COUNT calls fail the way networks and services fail:

  drop      forward the request, then close the connection without answering (a lost answer)
  hang      forward the request, then never answer (an endpoint that accepts and stalls)
  5xx       answer 500 InternalErrorException without forwarding
  throttle  answer 400 TooManyRequestsException without forwarding
  echo      answer 400 InvalidParameterException quoting the request, as AWS validation
            errors do ("Value '{...}' at 'providerDetails' failed to satisfy constraint")
  pass      forward untouched (the default for every other call)

Every other call is forwarded. Each call is logged on stdout as "OPERATION FAULT".

Usage: python fault_proxy.py LISTEN_PORT UPSTREAM_PORT OPERATION FAULT [COUNT]
"""

import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTEN, UPSTREAM, OPERATION, FAULT = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
REMAINING = [int(sys.argv[5]) if len(sys.argv) > 5 else 1]
LOCK = threading.Lock()


def python_repr(value):
    """How AWS quotes a request map in a validation error (Python-like repr)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{python_repr(k)}: {python_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_repr(v) for v in value) + "]"
    return "'" + str(value) + "'"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        operation = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        fault = "pass"
        with LOCK:
            if operation == OPERATION and REMAINING[0] > 0:
                REMAINING[0] -= 1
                fault = FAULT
        print(f"{operation} {fault}", flush=True)
        if fault == "5xx":
            return self.answer(500, {"__type": "InternalErrorException", "message": "Internal server error."})
        if fault == "throttle":
            return self.answer(400, {"__type": "TooManyRequestsException", "message": "Too many requests"})
        if fault == "echo":
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                request = {}
            quoted, field = request, "request"
            if isinstance(request, dict) and "ProviderDetails" in request:
                quoted, field = request["ProviderDetails"], "providerDetails"
            message = (
                f"1 validation error detected: Value '{python_repr(quoted)}' at '{field}' failed to "
                "satisfy constraint: Map value must satisfy constraint: [Member must have length less "
                "than or equal to 131072, Member must have length greater than or equal to 0]"
            )
            return self.answer(400, {"__type": "InvalidParameterException", "message": message})
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request("POST", self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        if fault == "drop":
            self.close_connection = True
            return
        if fault == "hang":
            time.sleep(3600)
            return
        passed = [(k, v) for k, v in response.getheaders()
                  if k.lower() not in ("content-length", "connection", "transfer-encoding", "content-type", "server", "date")]
        self.answer(response.status, data, passed)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("127.0.0.1", LISTEN), Handler).serve_forever()
