"""诺诺 (nuonuo) tax-platform issuer: ``nuonuo.OpeMplatform.requestBillingNew`` then ``queryInvoiceResult``.

Requests follow 诺诺开放平台's common protocol: POST JSON to ``/open/v1/services`` with the query
string ``senid, nonce, timestamp, appkey`` and the headers ``X-Nuonuo-Sign, accessToken, userTax,
method``; the signature is base64(HMAC-SHA1(appSecret,
"a=services&l=v1&p=open&k={appKey}&i={senid}&n={nonce}&t={timestamp}&f={body}")). A merchant
token comes from the token URL (``client_credentials``) and is cached. Issuing is asynchronous at
诺诺: a request returns a serial number, and the result is polled; status 2 means issued.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.core.cache import cache
from django.utils import timezone

from ..tax import split_tax, tax_rate
from .base import InvoiceIssuer, IssuerError, IssueResult, IssuerPending

REQUEST_BILLING = "nuonuo.OpeMplatform.requestBillingNew"
QUERY_RESULT = "nuonuo.OpeMplatform.queryInvoiceResult"
SUCCESS_CODE = "E0000"
ISSUED = "2"
IN_PROGRESS = {"1", "20", "21", "31"}
FAILED = {"22", "24", "3"}


def nuonuo_sign(*, path: str, app_key: str, app_secret: str, senid: str, nonce: str, timestamp: str, body: str) -> str:
    pieces = path.strip("/").split("/")  # open / v1 / services
    if len(pieces) < 3:
        raise IssuerError(f"诺诺接口地址不正确：{path}")
    p, version, action = pieces[-3], pieces[-2], pieces[-1]
    message = f"a={action}&l={version}&p={p}&k={app_key}&i={senid}&n={nonce}&t={timestamp}&f={body}"
    digest = hmac.new(app_secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def provider_order_no(invoice, *, red: bool = False) -> str:
    """诺诺's orderNo is at most 20 characters and unique per seller."""
    return f"{'R' if red else 'B'}{timezone.localtime(invoice.created_at):%y%m%d}{invoice.pk:013d}"


class NuonuoIssuer(InvoiceIssuer):
    name = "nuonuo"

    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        seller_tax_number: str,
        api_url: str,
        token_url: str,
        access_token: str = "",
        clerk: str = "",
        invoice_line: str = "p",
        goods_code: str = "",
        seller_phone: str = "",
        seller_address: str = "",
        timeout: float = 15.0,
    ):
        if not (app_key and app_secret and seller_tax_number):
            raise IssuerError("诺诺开票未配置：需要 NUONUO_APP_KEY、NUONUO_APP_SECRET、INVOICE_SELLER_TAX_NUMBER")
        self.app_key = app_key
        self.app_secret = app_secret
        self.seller_tax_number = seller_tax_number
        self.api_url = api_url
        self.token_url = token_url
        self.preset_token = access_token
        self.clerk = clerk
        self.invoice_line = invoice_line
        self.goods_code = goods_code
        self.seller_phone = seller_phone
        self.seller_address = seller_address
        self.timeout = timeout

    # --- transport --------------------------------------------------------------------------
    def _http(self, request: urllib.request.Request) -> dict:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                return json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise IssuerError(f"无法连接诺诺开票平台：{exc}") from exc
        except json.JSONDecodeError:
            raise IssuerError("诺诺开票平台返回的不是 JSON") from None

    def access_token(self) -> str:
        if self.preset_token:
            return self.preset_token
        key = f"billing:nuonuo:token:{self.app_key}"
        token = cache.get(key)
        if token:
            return token
        data = urllib.parse.urlencode(
            {"client_id": self.app_key, "client_secret": self.app_secret, "grant_type": "client_credentials"}
        ).encode("utf-8")
        answer = self._http(
            urllib.request.Request(  # noqa: S310
                self.token_url,
                data=data,
                headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
                method="POST",
            )
        )
        token = answer.get("access_token")
        if not token:
            raise IssuerError(f"诺诺令牌获取失败：{answer.get('error_description') or answer.get('error') or answer}")
        ttl = max(60, int(answer.get("expires_in", 3600)) - 300)
        cache.set(key, token, ttl)
        return token

    def call(self, method: str, content: dict) -> dict:
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        senid = uuid.uuid4().hex
        nonce = str(secrets.randbelow(90_000_000) + 10_000_000)
        timestamp = str(int(time.time()))
        path = urllib.parse.urlparse(self.api_url).path
        sign = nuonuo_sign(
            path=path,
            app_key=self.app_key,
            app_secret=self.app_secret,
            senid=senid,
            nonce=nonce,
            timestamp=timestamp,
            body=body,
        )
        query = urllib.parse.urlencode({"senid": senid, "nonce": nonce, "timestamp": timestamp, "appkey": self.app_key})
        request = urllib.request.Request(  # noqa: S310
            f"{self.api_url}?{query}",
            data=body.encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "X-Nuonuo-Sign": sign,
                "accessToken": self.access_token(),
                "userTax": self.seller_tax_number,
                "method": method,
            },
            method="POST",
        )
        answer = self._http(request)
        if answer.get("code") != SUCCESS_CODE:
            raise IssuerError(f"诺诺返回错误 {answer.get('code')}：{answer.get('describe', '')}")
        return answer

    def fetch_pdf(self, url: str) -> bytes | None:
        if not url:
            return None
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - provider link
                data = response.read()
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
            return None
        return data if data.startswith(b"%PDF") else None

    # --- issuing ------------------------------------------------------------------------------
    def _order_content(self, invoice, *, red: bool) -> dict:
        sign = -1 if red else 1
        net, tax = split_tax(invoice.amount)
        amount = invoice.amount * sign
        detail = {
            "goodsName": invoice.item_name,
            "goodsCode": self.goods_code,
            "num": str(sign),
            "unit": "项",
            "withTaxFlag": "1",
            "price": f"{invoice.amount:.2f}",
            "taxRate": f"{tax_rate()}",
            "taxIncludedAmount": f"{amount:.2f}",
            "taxExcludedAmount": f"{net * sign:.2f}",
            "tax": f"{tax * sign:.2f}",
            "invoiceLineProperty": "0",
        }
        order = {
            "buyerName": invoice.title,
            "buyerTaxNum": invoice.tax_number,
            "salerTaxNum": self.seller_tax_number,
            "salerTel": self.seller_phone,
            "salerAddress": self.seller_address,
            "orderNo": provider_order_no(invoice, red=red),
            "invoiceDate": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            "clerk": self.clerk,
            "pushMode": "-1",
            "invoiceType": "2" if red else "1",
            "invoiceLine": self.invoice_line,
            "remark": f"订单号 {invoice.order.order_no}",
            "invoiceDetail": [detail],
        }
        if red:
            order.update({"invoiceCode": invoice.invoice_code, "invoiceNum": invoice.invoice_no, "redReason": "2"})
        return {"order": order}

    def _result(self, serial: str) -> IssueResult:
        answer = self.call(QUERY_RESULT, {"serialNos": [serial], "isOfferInvoiceDetail": "0"})
        results = answer.get("result") or []
        if not results:
            raise IssuerPending(serial, "诺诺尚未返回开票结果")
        item = results[0]
        status = str(item.get("status", ""))
        if status == ISSUED:
            millis = item.get("invoiceTime")
            issued_at = dt.datetime.fromtimestamp(int(millis) / 1000, tz=dt.UTC) if millis else timezone.now()
            pdf_url = item.get("pdfUrl", "")
            return IssueResult(
                invoice_no=str(item.get("invoiceNo", "")),
                invoice_code=str(item.get("invoiceCode", "")),
                issued_at=issued_at,
                serial=serial,
                pdf=self.fetch_pdf(pdf_url),
                pdf_url=pdf_url,
            )
        if status in FAILED:
            raise IssuerError(f"诺诺开票失败（状态 {status}）：{item.get('failCause') or item.get('statusMsg', '')}")
        raise IssuerPending(serial, f"开票中（诺诺状态 {status or '未知'}）")

    def issue(self, invoice) -> IssueResult:
        serial = invoice.provider_serial
        if not serial:
            answer = self.call(REQUEST_BILLING, self._order_content(invoice, red=False))
            serial = (answer.get("result") or {}).get("invoiceSerialNum", "")
            if not serial:
                raise IssuerError("诺诺未返回开票流水号")
        return self._result(serial)

    def reverse(self, invoice) -> IssueResult:
        if not invoice.invoice_no:
            raise IssuerError("原发票尚未开具，无法红冲")
        serial = invoice.reversal_serial
        if not serial:
            answer = self.call(REQUEST_BILLING, self._order_content(invoice, red=True))
            serial = (answer.get("result") or {}).get("invoiceSerialNum", "")
            if not serial:
                raise IssuerError("诺诺未返回红冲流水号")
        return self._result(serial)
