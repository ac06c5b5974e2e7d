"""A fake Alipay for the tests: its own RSA key pair, gateway.do on 127.0.0.1 (query, close, refund)
answering with signed responses, and signed asynchronous notifications.

It checks our requests exactly as Alipay would: RSA2 over every parameter except ``sign``, with
our app public key; an unsigned or wrongly signed request gets ``isv.invalid-signature``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import urllib.parse
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cecloud.billing.gateways.alipay import rsa2_sign, rsa2_verify, sign_content, verify_content

_POOL_SIZE = 6
_pool: list[rsa.RSAPrivateKey] = []
_draws = itertools.count()


def new_key() -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key; drawn in turn from a small pool generated once (generation is slow), so
    keys drawn one after the other are always different."""
    if not _pool:
        _pool.extend(rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(_POOL_SIZE))
    return _pool[next(_draws) % _POOL_SIZE]


def private_pem(key: rsa.RSAPrivateKey, *, pkcs1: bool = False) -> str:
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if pkcs1 else serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def bare(pem: str) -> str:
    """The base64 body only, as Alipay's key tool hands keys out."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


class FakeAlipay:
    def __init__(self, *, app_id: str, seller_id: str, app_public_key_pem: str):
        self.app_id = app_id
        self.seller_id = seller_id
        self.key = new_key()
        self.public_key_pem = public_pem(self.key)
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        self.app_public_key = load_pem_public_key(app_public_key_pem.encode())
        self.trades: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.tamper_responses = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeAlipay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/gateway.do"

    # --- the buyer's side ------------------------------------------------------------------
    def open_payment_page(self, url: str) -> dict:
        """What Alipay does with our page/WAP pay redirect: verify it and create the trade."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))
        if not rsa2_verify(self.app_public_key, sign_content(query), query.get("sign", "")):
            raise AssertionError("page pay request signature invalid")
        biz = json.loads(query["biz_content"])
        self.trades[biz["out_trade_no"]] = {
            "out_trade_no": biz["out_trade_no"],
            "trade_no": "2023" + uuid.uuid4().hex[:24],
            "trade_status": "WAIT_BUYER_PAY",
            "total_amount": biz["total_amount"],
        }
        return {"params": query, "biz": biz}

    def pay(self, out_trade_no: str) -> dict:
        """The buyer pays: the trade succeeds; returns the notification Alipay would POST."""
        trade = self.trades[out_trade_no]
        trade["trade_status"] = "TRADE_SUCCESS"
        trade["send_pay_date"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        return self.notification(out_trade_no)

    def notification(self, out_trade_no: str, *, key: rsa.RSAPrivateKey | None = None, **overrides) -> dict:
        trade = self.trades[out_trade_no]
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        params = {
            "gmt_create": now,
            "charset": "utf-8",
            "gmt_payment": trade.get("send_pay_date", now),
            "notify_time": now,
            "subject": "培训费",
            "buyer_id": "2088102177846875",
            "invoice_amount": trade["total_amount"],
            "version": "1.0",
            "notify_id": uuid.uuid4().hex,
            "fund_bill_list": json.dumps([{"amount": trade["total_amount"], "fundChannel": "ALIPAYACCOUNT"}]),
            "notify_type": "trade_status_sync",
            "out_trade_no": out_trade_no,
            "total_amount": trade["total_amount"],
            "trade_status": trade["trade_status"],
            "trade_no": trade["trade_no"],
            "auth_app_id": self.app_id,
            "receipt_amount": trade["total_amount"],
            "point_amount": "0.00",
            "app_id": self.app_id,
            "buyer_pay_amount": trade["total_amount"],
            "sign_type": "RSA2",
            "seller_id": self.seller_id,
        }
        params.update(overrides)
        params["sign"] = rsa2_sign(key or self.key, verify_content(params))
        return params

    # --- gateway.do ----------------------------------------------------------------------
    def _answer(self, method: str, params: dict) -> dict:
        biz = json.loads(params.get("biz_content") or "{}")
        self.calls.append((method, biz))
        trade = self.trades.get(biz.get("out_trade_no", ""))
        not_exist = {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_EXIST",
            "sub_msg": "交易不存在",
        }
        if method == "alipay.trade.query":
            if trade is None:
                return not_exist
            answer = {"code": "10000", "msg": "Success", "buyer_logon_id": "158****1562", **trade}
            return answer
        if method == "alipay.trade.close":
            if trade is None:
                return not_exist
            if trade["trade_status"] != "WAIT_BUYER_PAY":
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
            trade["trade_status"] = "TRADE_CLOSED"
            return {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": trade["out_trade_no"],
                "trade_no": trade["trade_no"],
            }
        if method == "alipay.trade.refund":
            if trade is None:
                return not_exist
            if trade["trade_status"] not in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR"}
            request_no = biz["out_request_no"]
            if request_no not in self.refunds:
                refunded = sum(
                    Decimal(r["refund_amount"])
                    for r in self.refunds.values()
                    if r["out_trade_no"] == trade["out_trade_no"]
                )
                if refunded + Decimal(biz["refund_amount"]) > Decimal(trade["total_amount"]):
                    return {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"}
                self.refunds[request_no] = {
                    "out_trade_no": trade["out_trade_no"],
                    "refund_amount": biz["refund_amount"],
                }
            total = sum(
                Decimal(r["refund_amount"]) for r in self.refunds.values() if r["out_trade_no"] == trade["out_trade_no"]
            )
            if total == Decimal(trade["total_amount"]):
                trade["trade_status"] = "TRADE_CLOSED"
            return {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": trade["out_trade_no"],
                "trade_no": trade["trade_no"],
                "fund_change": "Y",
                "refund_fee": f"{total:.2f}",
            }
        return {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode("utf-8"), keep_blank_values=True))
                method = params.get("method", "")
                node = method.replace(".", "_") + "_response"
                if not rsa2_verify(fake.app_public_key, sign_content(params), params.get("sign", "")):
                    answer = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"}
                elif params.get("app_id") != fake.app_id:
                    answer = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-app-id"}
                else:
                    answer = fake._answer(method, params)
                raw = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
                sign = rsa2_sign(fake.key, raw)
                if fake.tamper_responses:
                    raw = raw.replace('"total_amount":"', '"total_amount":"1')
                body = f'{{"{node}":{raw},"sign":"{sign}"}}'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
