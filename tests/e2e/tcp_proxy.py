"""A TCP proxy in front of Postgres that a test can cut, partition, slow down and restore.

It runs on its own threads, so it keeps forwarding whatever event loop the app runs in.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from psycopg.conninfo import conninfo_to_dict, make_conninfo


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database server.

    ``cut()`` stops listening and drops every connection (a dead server); ``restore()`` listens
    again. ``partition()`` keeps every connection open and accepts new ones but forwards no
    byte either way (a network that went silent); ``heal()`` lets the held bytes through.
    ``delay(seconds)`` holds each chunk that long before passing it on (a slow network).
    ``stall_after(marker, seconds)`` holds, on any connection whose client sends ``marker``
    (``b"COMMIT"``), the server's next answer that long (a lost acknowledgement: the server
    has done it, the client cannot know); ``drop_on(marker)`` closes any connection whose
    client sends ``marker`` instead of passing it on (it never arrives).
    """

    def __init__(self, database_url: str) -> None:
        params = conninfo_to_dict(database_url)
        self._host = str(params.get("host") or "127.0.0.1")
        self._port = int(params.get("port") or 5432)
        self._url = database_url
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()
        self._latency = 0.0
        self._stall_answer: tuple[bytes, float] | None = None
        self._drop_marker: bytes | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The database URL that goes through the proxy."""
        return make_conninfo(self._url, host="127.0.0.1", port=str(self.port))

    def _upstream(self) -> socket.socket:
        if self._host.startswith("/"):
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            unix.connect(f"{self._host}/.s.PGSQL.{self._port}")
            return unix
        return socket.create_connection((self._host, self._port))

    def _pipe(
        self, source: socket.socket, sink: socket.socket, held: list[float], upstream: bool
    ) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self._flowing.wait()
                if self._latency:
                    time.sleep(self._latency)
                    self._flowing.wait()
                if upstream and self._drop_marker is not None and self._drop_marker in data:
                    break
                if upstream:
                    self._hold_answers(data, held)
                elif held[0] > time.monotonic():
                    time.sleep(held[0] - time.monotonic())
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def _serve(self, client: socket.socket) -> None:
        # Held here while partitioned: the client sees an accepted connection and silence.
        self._flowing.wait()
        try:
            upstream = self._upstream()
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.add(upstream)
        # When the answers on this connection are held until (a monotonic time).
        held = [0.0]
        for source, sink, up in ((client, upstream, True), (upstream, client, False)):
            threading.Thread(target=self._pipe, args=(source, sink, held, up), daemon=True).start()

    def _hold_answers(self, data: bytes, held: list[float]) -> None:
        if self._stall_answer is not None and self._stall_answer[0] in data:
            held[0] = time.monotonic() + self._stall_answer[1]

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed by cut()
            with self._lock:
                self._open.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def restore(self) -> None:
        """Listen (again, on the same port once known)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def forward_to(self, port: int) -> None:
        """Forward new connections to ``port`` (same host) from now on."""
        self._port = port

    def partition(self) -> None:
        """Forward nothing from now on; connections stay open and new ones are accepted."""
        self._flowing.clear()

    def heal(self) -> None:
        """Forward again, held bytes and held connections included."""
        self._flowing.set()

    def delay(self, seconds: float) -> None:
        """Hold every chunk ``seconds`` before forwarding it (0: no delay)."""
        self._latency = seconds

    def stall_after(self, marker: bytes | None, seconds: float = 0.0) -> None:
        """Hold the server's answer to any chunk holding ``marker`` (None: stop)."""
        self._stall_answer = None if marker is None else (marker, seconds)

    def drop_on(self, marker: bytes | None) -> None:
        """Close any connection whose client sends ``marker``, unsent (None: stop)."""
        self._drop_marker = marker

    def cut(self) -> None:
        """Stop listening and drop every open connection, as a dead server would."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
        with self._lock:
            for end in self._open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self._open.clear()
        self._flowing.set()  # let held threads see their sockets are gone
