"""A rogue MySQL server: it speaks just enough of the client/server protocol to accept a login,
then answers every query with a LOAD DATA LOCAL request for a local file, the way a hostile or
compromised server tries to read a client's files. It records what each client sent back."""
import socket
import struct
import threading

# Capabilities offered, CLIENT_LOCAL_FILES among them.
CLIENT_LONG_PASSWORD = 0x1
CLIENT_LONG_FLAG = 0x4
CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_LOCAL_FILES = 0x80
CLIENT_PROTOCOL_41 = 0x200
CLIENT_TRANSACTIONS = 0x2000
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_MULTI_STATEMENTS = 0x10000
CLIENT_MULTI_RESULTS = 0x20000
CLIENT_PS_MULTI_RESULTS = 0x40000
CLIENT_PLUGIN_AUTH = 0x80000
CLIENT_PLUGIN_AUTH_LENENC = 0x200000
SERVER_CAPABILITIES = (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB |
                       CLIENT_LOCAL_FILES | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS |
                       CLIENT_SECURE_CONNECTION | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS |
                       CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_PLUGIN_AUTH_LENENC)

COM_QUIT, COM_QUERY, COM_PING = 0x01, 0x03, 0x0E


class Connection:
    """What one client did: whether it offered LOCAL INFILE, its queries, the bytes it sent back
    for the requested file."""

    def __init__(self):
        self.offered_local_files = None
        self.queries = []
        self.file_requests = 0
        self.file_bytes = b""


class RogueMysqlServer:
    def __init__(self, wanted_file):
        self.wanted_file = wanted_file.encode()
        self.connections = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self):
        self._closed = True
        self._listener.close()

    def snapshot(self):
        with self._lock:
            return list(self.connections)

    def _accept(self):
        while not self._closed:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        record = Connection()
        with self._lock:
            self.connections.append(record)
        sock.settimeout(30)
        try:
            self._send(sock, 0, self._handshake())
            seq, login = self._read(sock)
            record.offered_local_files = bool(struct.unpack("<I", login[:4])[0] & CLIENT_LOCAL_FILES)
            self._send(sock, seq + 1, b"\x00\x00\x00\x02\x00\x00\x00")  # OK
            while True:
                seq, packet = self._read(sock)
                if not packet or packet[0] == COM_QUIT:
                    return
                if packet[0] == COM_PING:
                    self._send(sock, seq + 1, b"\x00\x00\x00\x02\x00\x00\x00")
                    continue
                if packet[0] != COM_QUERY:
                    self._send(sock, seq + 1, self._error(1295, "not supported here"))
                    continue
                record.queries.append(packet[1:].decode("utf-8", "replace"))
                record.file_requests += 1
                self._send(sock, seq + 1, b"\xfb" + self.wanted_file)
                seq += 1
                while True:  # the client's answer: packets of file content, then an empty one
                    seq, data = self._read(sock)
                    if not data:
                        break
                    record.file_bytes += data
                # Access denied: a client that stops here is not kept retrying by the test.
                self._send(sock, seq + 1, self._error(1045, "Access denied (rogue server)"))
        except (OSError, ConnectionError, struct.error):
            pass
        finally:
            sock.close()

    @staticmethod
    def _handshake():
        salt = b"abcdefghijklmnopqrst"
        return (b"\x0a" + b"5.5.5-10.11.99-MariaDB-rogue\x00" + struct.pack("<I", 7) + salt[:8] +
                b"\x00" + struct.pack("<H", SERVER_CAPABILITIES & 0xFFFF) + b"\x2d" +
                struct.pack("<H", 2) + struct.pack("<H", SERVER_CAPABILITIES >> 16) +
                bytes([len(salt) + 1]) + b"\x00" * 10 + salt[8:] + b"\x00" +
                b"mysql_native_password\x00")

    @staticmethod
    def _error(code, message):
        return b"\xff" + struct.pack("<H", code) + b"#28000" + message.encode()

    @staticmethod
    def _send(sock, seq, payload):
        sock.sendall(struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload)

    @staticmethod
    def _read(sock):
        header = RogueMysqlServer._exactly(sock, 4)
        length = header[0] | header[1] << 8 | header[2] << 16
        return header[3], RogueMysqlServer._exactly(sock, length)

    @staticmethod
    def _exactly(sock, n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client closed")
            data += chunk
        return data
