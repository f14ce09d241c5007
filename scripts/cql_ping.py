#!/usr/bin/env python3
"""A minimal CQL native-protocol (v4) client with no dependencies.

scripts/stack uses it to learn when Cassandra accepts clients; tests use it to run a query
when the cassandra-driver package is not installed.

  cql_ping.py [--host H] [--port P] [--login] [--query CQL]

Exit status 0 when the server answered STARTUP (and, with --login, accepted the user from
$STACK_CASSANDRA_USER / $STACK_CASSANDRA_PASSWORD, default cassandra/cassandra). With --query,
prints the first column of each row.
"""

import argparse
import os
import socket
import struct
import sys

VERSION = 0x04
OP_ERROR, OP_STARTUP, OP_READY, OP_AUTHENTICATE = 0x00, 0x01, 0x02, 0x03
OP_QUERY, OP_RESULT = 0x07, 0x08
OP_AUTH_CHALLENGE, OP_AUTH_RESPONSE, OP_AUTH_SUCCESS = 0x0E, 0x0F, 0x10
CONSISTENCY_ONE = 0x0001
RESULT_ROWS = 0x0002


class CqlError(Exception):
    pass


def _string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def _long_string(s):
    b = s.encode()
    return struct.pack(">i", len(b)) + b


def _bytes(b):
    return struct.pack(">i", len(b)) + b


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise CqlError("truncated frame")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def short(self):
        return struct.unpack(">H", self.take(2))[0]

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def string(self):
        return self.take(self.short()).decode()

    def bytes(self):
        n = self.int()
        return None if n < 0 else self.take(n)


class Connection:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.stream = 0

    def close(self):
        self.sock.close()

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise CqlError("connection closed by the server")
            buf += chunk
        return buf

    def request(self, opcode, body):
        self.stream = (self.stream + 1) % 32768
        header = struct.pack(">BBhBi", VERSION, 0, self.stream, opcode, len(body))
        self.sock.sendall(header + body)
        _, _, _, op, length = struct.unpack(">BBhBi", self._recv_exact(9))
        payload = self._recv_exact(length)
        if op == OP_ERROR:
            r = Reader(payload)
            code = r.int()
            raise CqlError(f"server error 0x{code:04x}: {r.string()}")
        return op, payload

    def startup(self, user=None, password=None):
        body = struct.pack(">H", 1) + _string("CQL_VERSION") + _string("3.0.0")
        op, payload = self.request(OP_STARTUP, body)
        if op == OP_READY:
            return
        if op != OP_AUTHENTICATE:
            raise CqlError(f"unexpected answer to STARTUP: opcode 0x{op:02x}")
        if user is None:
            raise CqlError("the server asks for a login (" + Reader(payload).string() + ")")
        token = b"\0" + user.encode() + b"\0" + password.encode()
        op, _ = self.request(OP_AUTH_RESPONSE, _bytes(token))
        if op != OP_AUTH_SUCCESS:
            raise CqlError(f"login not accepted: opcode 0x{op:02x}")

    def query(self, cql):
        """Runs CQL; returns the rows of a Rows result as lists of raw bytes."""
        body = _long_string(cql) + struct.pack(">HB", CONSISTENCY_ONE, 0)
        op, payload = self.request(OP_QUERY, body)
        if op != OP_RESULT:
            raise CqlError(f"unexpected answer to QUERY: opcode 0x{op:02x}")
        r = Reader(payload)
        if r.int() != RESULT_ROWS:
            return []
        flags, ncols = r.int(), r.int()
        if flags & 0x0002:  # has_more_pages: skip the paging state
            r.bytes()
        if not flags & 0x0004:  # column metadata present
            global_spec = flags & 0x0001
            if global_spec:
                r.string(), r.string()
            for _ in range(ncols):
                if not global_spec:
                    r.string(), r.string()
                r.string()
                type_id = r.short()
                if type_id == 0x0000 or type_id >= 0x0020:
                    raise CqlError("only simple column types are supported by this client")
        return [[r.bytes() for _ in range(ncols)] for _ in range(r.int())]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9042)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--login", action="store_true", help="log in (PasswordAuthenticator)")
    p.add_argument("--query", help="a CQL statement to run after connecting")
    args = p.parse_args()
    user = password = None
    if args.login:
        user = os.environ.get("STACK_CASSANDRA_USER", "cassandra")
        password = os.environ.get("STACK_CASSANDRA_PASSWORD", "cassandra")
    try:
        conn = Connection(args.host, args.port, args.timeout)
        try:
            conn.startup(user, password)
            if args.query:
                for row in conn.query(args.query):
                    print("" if row[0] is None else row[0].decode(errors="replace"))
        finally:
            conn.close()
    except (OSError, CqlError) as e:
        print(f"cql_ping: {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
