"""A fake 诺诺 open platform on 127.0.0.1: token endpoint, /open/v1/services (requestBillingNew,
queryInvoiceResult) checking the X-Nuonuo-Sign signature, and PDF links."""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cecloud.billing.issuers.nuonuo import nuonuo_sign

FAKE_PDF = b"%PDF-1.4\n% nuonuo fake invoice\n%%EOF\n"


class FakeNuonuo:
    def __init__(self, *, app_key: str, app_secret: str, seller_tax: str):
        self.app_key = app_key
        self.app_secret = app_secret
        self.seller_tax = seller_tax
        self.token = "tok-" + uuid.uuid4().hex
        self.orders: dict[str, dict] = {}  # serial -> order content
        self.order_nos: set[str] = set()
        self.requests: list[dict] = []
        self.pending_polls = 0  # how many result queries answer "20 开票中" first
        self.fail_with = ""  # a failCause makes every invoice fail (status 22)
        self.token_calls = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> FakeNuonuo:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _services(self, path: str, query: dict, headers, body: str) -> dict:
        expected = nuonuo_sign(
            path=path,
            app_key=query.get("appkey", ""),
            app_secret=self.app_secret,
            senid=query.get("senid", ""),
            nonce=query.get("nonce", ""),
            timestamp=query.get("timestamp", ""),
            body=body,
        )
        if query.get("appkey") != self.app_key or headers.get("X-Nuonuo-Sign") != expected:
            return {"code": "E9106", "describe": "签名验证失败"}
        if headers.get("accessToken") != self.token:
            return {"code": "070301", "describe": "accessToken无效"}
        if headers.get("userTax") != self.seller_tax:
            return {"code": "E9101", "describe": "税号无权限"}
        method = headers.get("method")
        content = json.loads(body)
        self.requests.append({"method": method, "content": content})
        if method == "nuonuo.OpeMplatform.requestBillingNew":
            order = content["order"]
            if order["orderNo"] in self.order_nos:
                return {"code": "E9500", "describe": "订单编号重复"}
            if len(order["orderNo"]) > 20:
                return {"code": "E9500", "describe": "订单编号过长"}
            self.order_nos.add(order["orderNo"])
            serial = "2307" + uuid.uuid4().hex[:16]
            self.orders[serial] = {"order": order, "polls": 0}
            return {"code": "E0000", "describe": "开票提交成功", "result": {"invoiceSerialNum": serial}}
        if method == "nuonuo.OpeMplatform.queryInvoiceResult":
            results = []
            for serial in content["serialNos"]:
                entry = self.orders.get(serial)
                if entry is None:
                    continue
                entry["polls"] += 1
                if self.fail_with:
                    results.append({"serialNo": serial, "status": "22", "failCause": self.fail_with})
                elif entry["polls"] <= self.pending_polls:
                    results.append({"serialNo": serial, "status": "20", "statusMsg": "开票中"})
                else:
                    number = f"{len(self.orders):08d}"
                    results.append(
                        {
                            "serialNo": serial,
                            "status": "2",
                            "statusMsg": "开票完成（最终状态）",
                            "invoiceCode": "032002300111",
                            "invoiceNo": number,
                            "invoiceTime": 1696300000000,
                            "pdfUrl": f"{self.base}/pdf/{serial}.pdf",
                        }
                    )
            return {"code": "E0000", "describe": "获取成功", "result": results}
        return {"code": "E9999", "describe": "未知方法"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path.startswith("/pdf/"):
                    self._send(200, FAKE_PDF, "application/pdf")
                else:
                    self._send(404, b"", "text/plain")

            def do_POST(self):
                split = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                if split.path == "/accessToken":
                    form = dict(urllib.parse.parse_qsl(body))
                    fake.token_calls += 1
                    if (form.get("client_id"), form.get("client_secret"), form.get("grant_type")) != (
                        fake.app_key,
                        fake.app_secret,
                        "client_credentials",
                    ):
                        answer = {"error": "invalid_client", "error_description": "应用凭证错误"}
                    else:
                        answer = {"access_token": fake.token, "expires_in": 86400}
                else:
                    query = dict(urllib.parse.parse_qsl(split.query))
                    answer = fake._services(split.path, query, self.headers, body)
                self._send(200, json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json")

        return Handler
