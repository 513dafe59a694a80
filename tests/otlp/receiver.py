"""A local OTLP/HTTP JSON metrics receiver for apiscope's export tests.

Every POST /v1/metrics body is parsed with protobuf's strict JSON parser into the official
`ExportMetricsServiceRequest` (unknown fields, wrong types and malformed 64-bit integers are
rejected with 400), then checked for what protobuf cannot see: every exponential-histogram
point's bucket counts plus zero count add up to its count.

Control endpoints for tests:
  GET  /received       -> JSON list of accepted requests (MessageToDict form) with their headers
  GET  /rejected       -> JSON list of rejection reasons
  GET  /samples?service=S
                       -> what the accepted requests of `service.name = S` hold, counted per
                          body: {"bodies", "samples" (histogram counts summed), "errors",
                          "batches": {X-Apiscope-Batch: times received}, "duplicates": [ids
                          received more than once]}
  POST /__fail?n=N     -> answer the next N exports with 503 (to exercise retries)
  POST /__fail?ms=T    -> answer every export with 503 for the next T ms (a collector that is
                          down for a while, then recovers)
  POST /__slow?ms=T    -> answer each accepted export T ms after taking it (a collector slower
                          than a page's exit: the page is gone before the answer)
  POST /__reset        -> forget everything
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

lock = threading.Lock()
received = []
rejected = []
fail_next = 0
fail_until = 0.0
slow_ms = 0


def histogram_problems(request):
    problems = []
    for rm in request.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if not metric.HasField("exponential_histogram"):
                    continue
                for point in metric.exponential_histogram.data_points:
                    total = point.zero_count + sum(point.positive.bucket_counts)
                    total += sum(point.negative.bucket_counts)
                    if total != point.count:
                        problems.append(
                            f"{metric.name}: buckets add up to {total}, count is {point.count}"
                        )
    return problems


def service_of(entry):
    for rm in entry["request"].get("resourceMetrics", []):
        for kv in rm.get("resource", {}).get("attributes", []):
            if kv["key"] == "service.name":
                return kv["value"].get("stringValue")
    return None


def sample_counts(service):
    """Every accepted body of `service`, counted: samples are the histogram counts."""
    bodies, samples, errors, batches = 0, 0, 0, {}
    for entry in received:
        if service_of(entry) != service:
            continue
        bodies += 1
        batch = entry["headers"].get("x-apiscope-batch", "")
        batches[batch] = batches.get(batch, 0) + 1
        for rm in entry["request"].get("resourceMetrics", []):
            for sm in rm.get("scopeMetrics", []):
                for metric in sm.get("metrics", []):
                    if metric["name"] == "apiscope.http.client.request.duration":
                        for point in metric["exponentialHistogram"].get("dataPoints", []):
                            samples += int(point.get("count", "0"))
                    if metric["name"] == "apiscope.http.client.errors":
                        for point in metric["sum"].get("dataPoints", []):
                            errors += int(point.get("asInt", "0"))
    duplicates = sorted(batch for batch, n in batches.items() if n > 1)
    return {
        "bodies": bodies,
        "samples": samples,
        "errors": errors,
        "batches": batches,
        "duplicates": duplicates,
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Access-Control-Max-Age", "600")

    def answer(self, status, body=b"", content_type="application/json"):
        try:
            self.send_response(status)
            self.cors()
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a page that went away (keepalive at unload) does not read the answer

    def do_OPTIONS(self):
        self.answer(204)

    def do_GET(self):
        url = urlparse(self.path)
        path = url.path
        with lock:
            if path == "/received":
                return self.answer(200, json.dumps(received).encode())
            if path == "/rejected":
                return self.answer(200, json.dumps(rejected).encode())
            if path == "/samples":
                service = parse_qs(url.query).get("service", [""])[0]
                return self.answer(200, json.dumps(sample_counts(service)).encode())
        self.answer(404, b"{}")

    def do_POST(self):
        global fail_next, fail_until, slow_ms
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            if url.path == "/__reset":
                received.clear()
                rejected.clear()
                fail_next = 0
                fail_until = 0.0
                slow_ms = 0
                return self.answer(204)
            if url.path == "/__slow":
                slow_ms = int(parse_qs(url.query).get("ms", ["0"])[0])
                return self.answer(204)
            if url.path == "/__fail":
                query = parse_qs(url.query)
                if "ms" in query:
                    fail_until = time.monotonic() + int(query["ms"][0]) / 1000
                else:
                    fail_next = int(query.get("n", ["1"])[0])
                return self.answer(204)
            if url.path != "/v1/metrics":
                return self.answer(404, b"{}")
            if fail_next > 0 or time.monotonic() < fail_until:
                fail_next = max(0, fail_next - 1)
                return self.answer(503, b'{"message":"injected failure"}')
        content_type = self.headers.get("Content-Type", "")
        try:
            if not content_type.startswith("application/json"):
                raise ValueError(f"Content-Type is {content_type!r}, not application/json")
            request = json_format.Parse(body.decode("utf-8"), ExportMetricsServiceRequest())
            problems = histogram_problems(request)
            if problems:
                raise ValueError("; ".join(problems))
        except Exception as err:  # every rejection is recorded for the test to read
            with lock:
                rejected.append(str(err))
            return self.answer(400, json.dumps({"message": str(err)}).encode())
        entry = {
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "bytes": len(body),
            "request": json_format.MessageToDict(request),
        }
        with lock:
            received.append(entry)
            delay = slow_ms
        if delay:
            time.sleep(delay / 1000)
        self.answer(200, b"{}")


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("OTLP_PORT", "4318"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    # Port 0 picks a free port: the line says which (tests/otlp/receiver.mjs reads it).
    print(f"OTLP receiver on http://127.0.0.1:{server.server_address[1]}/v1/metrics", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
