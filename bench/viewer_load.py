#!/usr/bin/env python3
"""Loopback load test of the viewer (issue 17): requests/s and p50/p99 latency of API requests on
kept-alive connections, the server's RSS before and after, first alone and then with 8 slowloris
clients connected all the time (each sends one header byte a second and reconnects when the server
drops it). Bounded: each phase stops after --requests requests or --seconds seconds; 127.0.0.1 only.

    viewer_load.py PORT SERVER_PID [--requests N] [--seconds S] [--clients C] [--slow K]"""
import argparse
import http.client
import socket
import threading
import time


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Slowloris:
    """K connections that each send one byte of a never-ending header per second."""

    def __init__(self, port, k):
        self.port, self.k = port, k
        self.stop = threading.Event()
        self.dropped = 0  # connections the server closed (at its request deadline)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(k)]

    def run(self):
        header = b"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100000
        while not self.stop.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            except OSError:
                time.sleep(0.2)
                continue
            try:
                for b in header:
                    s.sendall(bytes([b]))
                    if self.stop.wait(1.0):
                        break
                    s.settimeout(0.001)
                    try:
                        if s.recv(1024) == b"":  # closed by the server
                            raise OSError
                        raise OSError  # an answer (400): the server gave up on us
                    except socket.timeout:
                        pass
                    s.settimeout(5)
            except OSError:
                with self.lock:
                    self.dropped += 1
            finally:
                s.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(1.5)  # all connected and trickling
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=3)


PATHS = ["/api/meta", "/api/tile?layer=0&level=0&head=0&ty=0&tx=0", "/api/row?layer=0&q=3&head=mean",
         "/api/tokens?seq=tokens", "/api/edges?layer=0&q0=0&q1=16&k=4&head=0"]


def load(port, requests, seconds, clients):
    """`clients` threads on kept-alive connections; returns (latencies in s, errors, elapsed)."""
    lat, errors = [], [0]
    lock = threading.Lock()
    left = [requests]
    t_end = time.monotonic() + seconds

    def worker(i):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        j = i
        while time.monotonic() < t_end:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            path = PATHS[j % len(PATHS)]
            j += 1
            t0 = time.perf_counter()
            try:
                c.request("GET", path, headers={"Host": "127.0.0.1:%d" % port})
                r = c.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                errors[0] += not ok
        c.close()

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sorted(lat), errors[0], time.monotonic() - t0


def report(name, lat, errors, elapsed):
    n = len(lat)
    p = lambda q: lat[min(n - 1, int(q * n))] * 1000 if n else float("nan")
    print("%-28s %6d requests %5.1f s  %7.0f req/s  p50 %6.2f ms  p99 %7.2f ms  max %7.1f ms  errors %d"
          % (name, n, elapsed, n / elapsed if elapsed else 0, p(0.5), p(0.99), (lat[-1] * 1000 if n else 0), errors))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("pid", type=int)
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--slow", type=int, default=8)
    a = ap.parse_args()
    before = rss_kb(a.pid)
    lat, err, el = load(a.port, a.requests, a.seconds, a.clients)
    report("alone (%d clients)" % a.clients, lat, err, el)
    with Slowloris(a.port, a.slow) as sl:
        lat, err, el = load(a.port, a.requests, a.seconds, a.clients)
        report("with %d slowloris" % a.slow, lat, err, el)
        dropped = sl.dropped
    after = rss_kb(a.pid)
    print("slowloris connections dropped by the server: %d" % dropped)
    print("server RSS: %.1f MB before, %.1f MB after" % (before / 1024, after / 1024))
    return 1 if err else 0


if __name__ == "__main__":
    raise SystemExit(main())
