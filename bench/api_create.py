#!/usr/bin/env python3
"""Creates tokens through the management API with concurrent clients, each on a
kept-alive connection, and prints how many per second were made.

Usage: bench/api_create.py BASE_URL API_KEY COUNT CLIENTS"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, key, count, clients = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
url = urllib.parse.urlsplit(base)
failures = []
latencies = []
lock = threading.Lock()


def client(worker):
    conn = http.client.HTTPConnection(url.hostname, url.port)
    mine = []
    for n in range(worker, count, clients):
        body = json.dumps({
            "name": f"api bench {n:06d}",
            "scopes": ["Production"],
            "type": "custom",
            "permissions": [{"module": "orders", "action": "read"}],
            "duration": "90d",
        })
        started = time.perf_counter()
        conn.request("POST", "/api/v1/tokens", body, {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        })
        response = conn.getresponse()
        response.read()
        mine.append(time.perf_counter() - started)
        if response.status != 201:
            with lock:
                failures.append(response.status)
    with lock:
        latencies.extend(mine)


threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
started = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - started
latencies.sort()
made = count - len(failures)
print(f"| {count} creates, {clients} clients | {made / elapsed:.0f} tokens/s | "
      f"{latencies[len(latencies) // 2] * 1000:.1f} | {latencies[int(len(latencies) * 0.95)] * 1000:.1f} | "
      f"{elapsed:.1f} s | {len(failures)} |")
if failures:
    sys.exit(f"{len(failures)} creates failed: {sorted(set(failures))}")
