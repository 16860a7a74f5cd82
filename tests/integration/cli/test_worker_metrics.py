"""test_worker_metrics.py - where `yaa worker` serves its /metrics, and that the deployment
files agree with it.

`yaa worker --metrics-port P` listens on 127.0.0.1 only (metrics stay on the machine unless
asked): a connection to another loopback address (127.0.0.2) is refused. With
`--metrics-host 0.0.0.0` it listens on every address. Every compose file that starts a worker
whose metrics Prometheus scrapes from another container (`worker:9101`) must therefore pass
`--metrics-host 0.0.0.0`, or the scrape finds nothing.
"""
import glob
import os
import re
import socket
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from stack import SRC, Procs, free_port, stack_env, wait_for  # noqa: E402


def can_connect(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def metrics(host, port):
    with urllib.request.urlopen("http://%s:%d/metrics" % (host, port), timeout=5) as r:
        return r.status, r.read().decode()


class WorkerMetricsHost(unittest.TestCase):
    def setUp(self):
        self.procs = Procs("yaa-worker-metrics-")
        self.env = dict(os.environ)
        self.env.update(stack_env(DATABASE_URL="sqlite:///%s/yaa.db" % self.procs.dir,
                                  QUEUE_URL="db", OUTPUT_DIR=os.path.join(self.procs.dir, "out"),
                                  CHANNELS_DIR=os.path.join(SRC, "channels")))

    def tearDown(self):
        self.procs.stop()

    def start(self, *extra):
        port = free_port()
        p = self.procs.spawn(["worker", "--concurrency", "1", "--metrics-port", str(port)]
                             + list(extra), "worker", self.env, self.procs.dir)
        wait_for(lambda: p.poll() is not None or "metrics on http" in self.procs.logs(p), 30,
                 "yaa worker's metrics listener")
        self.procs.assert_alive(p)
        return port

    def test_default_is_loopback_only(self):
        port = self.start()
        status, body = metrics("127.0.0.1", port)
        self.assertEqual(status, 200)
        self.assertIn("yaa_", body)
        self.assertFalse(can_connect("127.0.0.2", port),
                         "the default metrics listener answers on another address than 127.0.0.1")

    def test_metrics_host_all_addresses(self):
        port = self.start("--metrics-host", "0.0.0.0")
        self.assertEqual(metrics("127.0.0.1", port)[0], 200)
        self.assertEqual(metrics("127.0.0.2", port)[0], 200)

    def test_bad_host_is_a_clear_error(self):
        p = self.procs.spawn(["worker", "--metrics-port", str(free_port()), "--metrics-host",
                              "not-an-address"], "worker", self.env, self.procs.dir)
        self.assertNotEqual(p.wait(timeout=30), 0)
        self.assertIn("--metrics-host not-an-address", self.procs.logs(p))


class ComposeScrapesWorkers(unittest.TestCase):
    """A compose worker scraped on worker:9101 must listen beyond its own loopback."""

    def test_compose_workers_listen_for_prometheus(self):
        files = glob.glob(os.path.join(SRC, "docker-compose*.yml")) + \
            glob.glob(os.path.join(SRC, "infra", "**", "docker-compose*.yml"), recursive=True)
        workers = []
        for path in files:
            with open(path) as f:
                for n, line in enumerate(f, 1):
                    if re.search(r'"yaa",\s*"worker"', line) and "--metrics-port" in line:
                        workers.append((os.path.relpath(path, SRC), n, line.strip()))
        self.assertTrue(workers, "no compose file starts `yaa worker --metrics-port`")
        for where, n, line in workers:
            self.assertRegex(line, r'"--metrics-host",\s*"0\.0\.0\.0"',
                             "%s:%d: the worker's metrics stay on 127.0.0.1 inside its container "
                             "and Prometheus cannot scrape them" % (where, n))
        with open(os.path.join(SRC, "infra", "prometheus", "prometheus.yml")) as f:
            self.assertIn("9101", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
