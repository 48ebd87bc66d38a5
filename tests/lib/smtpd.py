#!/usr/bin/env python3
"""A real SMTP server for glean's tests (Debian's python3-aiosmtpd).

    smtpd.py --dir DIR --port-file FILE [--drop-first]

Listens on 127.0.0.1 on a free port (written to FILE once it listens) and
stores every accepted message as DIR/N.eml (N = 1, 2, ...) with the
envelope in DIR/N.json. --drop-first closes the connection after the
first message's data arrived, without answering (a lost reply), and
stores that message as DIR/dropped-1.eml.
"""
import argparse
import asyncio
import json
import os
import socket
import time

from aiosmtpd.controller import Controller

ARGS = None
COUNT = {"n": 0, "dropped": 0}


class Handler:
    async def handle_DATA(self, server, session, envelope):
        if ARGS.drop_first and COUNT["dropped"] == 0:
            COUNT["dropped"] += 1
            with open(os.path.join(ARGS.dir, "dropped-1.eml"), "wb") as f:
                f.write(envelope.original_content or envelope.content)
            server.transport.close()
            return "250 never seen"
        COUNT["n"] += 1
        n = COUNT["n"]
        base = os.path.join(ARGS.dir, str(n))
        with open(base + ".json.tmp", "w") as f:
            json.dump({"from": envelope.mail_from,
                       "to": envelope.rcpt_tos}, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(base + ".json.tmp", base + ".json")
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 OK queued as %d" % n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--drop-first", action="store_true")
    ARGS = p.parse_args()
    port = free_port()
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port,
                     decode_data=False)
    ctl.start()
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
