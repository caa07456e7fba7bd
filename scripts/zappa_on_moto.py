#!/usr/bin/env python3
"""`zappa`, for deploy rehearsals against moto on 127.0.0.1: deploy.sh runs it as DEPLOY_ZAPPA.

Four differences from the real command, and no others:
- every network connection to a non-loopback address is refused (a rehearsal never reaches AWS,
  PyPI or anything else: a mistake fails loudly instead of touching a real account);
- Zappa's "is there a newer Zappa?" request to PyPI is skipped;
- moto 5.2.5 has no Lambda function-URL routes: the 404 of `ListFunctionUrlConfigs`, which
  `zappa update` meets after the code and configuration are updated, is tolerated. Any other
  error still fails;
- Zappa's fixed pauses (3 s before it polls a CloudFormation stack it just updated) last at most
  0.1 s: moto has finished the stack when it answers. Each deploy would otherwise wait 3 s idle.
It must run with the deploy venv's Python (deploy.sh activates it, so `python3` is that one).
"""

import ipaddress
import socket
import sys

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def block_outbound():
    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"deploy rehearsal: connection to {address[0]} blocked (loopback only)")

    def connect(sock, address):
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"deploy rehearsal: name lookup of {host} blocked")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo


def tolerate_missing_function_url_routes():
    from botocore.exceptions import ClientError
    from zappa import core

    original = core.Zappa.delete_lambda_function_url

    def delete_lambda_function_url(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if exc.operation_name == "ListFunctionUrlConfigs" and status == 404:
                print("deploy rehearsal: moto has no ListFunctionUrlConfigs route (404), tolerated")
                return None
            raise

    core.Zappa.delete_lambda_function_url = delete_lambda_function_url


def shorten_fixed_pauses():
    import time

    from zappa import core

    class QuickPauses:
        """`time` for zappa.core, with `sleep` capped at 0.1 s."""

        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            time.sleep(min(seconds, 0.1))

    core.time = QuickPauses()


def main():
    block_outbound()
    tolerate_missing_function_url_routes()
    shorten_fixed_pauses()
    from zappa import cli

    cli.ZappaCLI.check_for_update = lambda self: None
    return cli.handle()


if __name__ == "__main__":
    sys.exit(main())
