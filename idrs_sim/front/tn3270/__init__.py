"""TN3270 front end: real 3270 emulators (x3270/c3270/s3270, tnz, PCOMM...) in front of a Host.

* `codec`  - pure 3270 data stream: `encode_screen(Screen) -> bytes` (Erase/Write, so
  every client model shows 24x80), `decode_read(bytes, formatted=...) -> AidEvent`.
* `telnet` - the telnet wire, pure: commands, options, IAC escaping, EOR record framing.
* `telnet_connection` - one client's stream: negotiation (TERMINAL-TYPE, EOR, BINARY;
  TN3270E refused), reading records under timeouts, writing answers.
* `server` - `serve(host_factory, ...)` (asyncio), `run_server(...)` (blocking, prints
  `listening on HOST:PORT`, 0 on SIGTERM) and `server_in_thread(...)` for tests; the
  listening socket, the session limit, shutdown.
* `session` - one connection: negotiate, start the host, answer records, drop bad clients.
* `key` - one AID key on a host worker: host call, encoding, the answer written there.
* `host_threads` - where host calls run (`HostPool`, `ServerOptions.host_threads`).
* `guard` - what a hostile client may cost: budgets, limits, the lines sent when refused.

Clients should use host code page 037 (`s3270 -codepage cp037`); x3270's default
"bracket" page differs from it only in the square brackets.
"""

from .codec import DecodeError, decode_read, encode_screen
from .server import ServerOptions, Tn3270Server, run_server, serve, server_in_thread

__all__ = [
    "DecodeError",
    "ServerOptions",
    "Tn3270Server",
    "decode_read",
    "encode_screen",
    "run_server",
    "serve",
    "server_in_thread",
]
