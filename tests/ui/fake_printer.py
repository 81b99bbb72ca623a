#!/usr/bin/env python3
"""A fake raw-TCP (9100) label printer for the console's tmux tests.

    fake_printer.py DIR [PORT]

Listens on 127.0.0.1 (PORT, or one the system picks), writes the port
into DIR/port once listening, and saves what each connection sends into
DIR/job.1, DIR/job.2, ... (the file appears complete: written under a
temporary name, then renamed). Runs until killed.
"""
import os
import socket
import sys

d = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(4)
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
n = 0
while True:
    c, _ = s.accept()
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    c.close()
    n += 1
    tmp = os.path.join(d, "job.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(d, "job.%d" % n))
