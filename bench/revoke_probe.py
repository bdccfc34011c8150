#!/usr/bin/env python3
"""Time from a revoke to the first 401 a client sees, while the server is under load.

A client asks /api/v1/verify with the token as fast as it can, on a kept-alive
connection; the token is then revoked, either through the admin app (same instance)
or with the given command (another process, such as `tessera token revoke`).
"""
import argparse
import http.client
import http.cookiejar
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--secret", required=True)
parser.add_argument("--guid", required=True)
parser.add_argument("--email")
parser.add_argument("--password")
parser.add_argument("--command", help="revoke with this shell command instead of the admin app")
args = parser.parse_args()
address = urllib.parse.urlparse(args.url)
first_refusal = None
stop = False


def probe():
    global first_refusal
    conn = http.client.HTTPConnection(address.hostname, address.port)
    headers = {"Authorization": f"Bearer {args.secret}"}
    while not stop:
        conn.request("GET", "/api/v1/verify", headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 401:
            first_refusal = time.perf_counter()
            return


def admin_revoke():
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Origin", args.url)]
    csrf = lambda page: re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    page = opener.open(f"{args.url}/login").read().decode()
    form = {"csrf_token": csrf(page), "email": args.email, "password": args.password, "next": ""}
    opener.open(f"{args.url}/login", urllib.parse.urlencode(form).encode()).read()
    page = opener.open(f"{args.url}/settings/api-tokens/{args.guid}/revoke").read().decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": csrf(page), "version": version}).encode()
    started = time.perf_counter()
    opener.open(f"{args.url}/settings/api-tokens/{args.guid}/revoke", body).read()
    return started, time.perf_counter()


thread = threading.Thread(target=probe)
thread.start()
time.sleep(1)
if args.command:
    started = time.perf_counter()
    subprocess.run(args.command, shell=True, check=True, capture_output=True)
    finished = time.perf_counter()
else:
    started, finished = admin_revoke()
thread.join(timeout=10)
stop = True
if first_refusal is None:
    print("no 401 within 10 s")
else:
    print(f"first 401 {1000 * (first_refusal - started):.1f} ms after the revoke began, "
          f"{1000 * (first_refusal - finished):.1f} ms after it finished")
