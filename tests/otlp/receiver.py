"""A local OTLP/HTTP JSON metrics receiver for apiscope's export tests.

Every POST /v1/metrics body is parsed with protobuf's strict JSON parser into the official
`ExportMetricsServiceRequest` (unknown fields, wrong types and malformed 64-bit integers are
rejected with 400), then checked for what protobuf cannot see: every exponential-histogram
point's bucket counts plus zero count add up to its count.

Control endpoints for tests:
  GET  /received       -> JSON list of accepted requests (MessageToDict form) with their headers
  GET  /rejected       -> JSON list of rejection reasons
  POST /__fail?n=N     -> answer the next N exports with 503 (to exercise retries)
  POST /__reset        -> forget everything
"""

import json
import os
import sys
import threading
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


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Access-Control-Max-Age", "600")

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.cors()
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self):
        self.answer(204)

    def do_GET(self):
        path = urlparse(self.path).path
        with lock:
            if path == "/received":
                return self.answer(200, json.dumps(received).encode())
            if path == "/rejected":
                return self.answer(200, json.dumps(rejected).encode())
        self.answer(404, b"{}")

    def do_POST(self):
        global fail_next
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            if url.path == "/__reset":
                received.clear()
                rejected.clear()
                fail_next = 0
                return self.answer(204)
            if url.path == "/__fail":
                fail_next = int(parse_qs(url.query).get("n", ["1"])[0])
                return self.answer(204)
            if url.path != "/v1/metrics":
                return self.answer(404, b"{}")
            if fail_next > 0:
                fail_next -= 1
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
        self.answer(200, b"{}")


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("OTLP_PORT", "4318"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"OTLP receiver on http://127.0.0.1:{port}/v1/metrics", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
