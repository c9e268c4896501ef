"""A TCP relay in front of PostgreSQL on 127.0.0.1 that can go away as a restarting server
does: every connection through it cut, and new ones refused, until it is back."""

from __future__ import annotations

import socket
import threading

PG = ("127.0.0.1", 5432)
#: The reliability tests' own ports.
PORTS = range(9200, 9300)


class PgRelay:
    def __init__(self) -> None:
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        for port in PORTS:
            try:
                self._listen(port)
            except OSError:
                continue
            self.port = port
            break
        assert self.port, f"no free port in {PORTS}"

    def _listen(self, port: int) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            listener.close()
            raise
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def url(self, pg_url: str) -> str:
        return pg_url.replace(f"{PG[0]}:{PG[1]}", f"127.0.0.1:{self.port}")

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: the server is "down"
            try:
                server = socket.create_connection(PG)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._conns.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def down(self) -> None:
        """The server goes away: connections cut, new ones refused."""
        if self._listener is not None:
            try:  # wakes its accept(), which close() alone does not
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            conns = list(self._conns)
        for sock in conns:
            self._close(sock)

    def up(self) -> None:
        self._listen(self.port)

    def close(self) -> None:
        self.down()
