"""Alipay (支付宝) 电脑网站支付 / 手机网站支付 with RSA2, using the ``cryptography`` package directly.

- Requests: every parameter except ``sign`` (``sign_type`` included), empty values dropped, sorted
  by key, joined ``k=v&...``, SHA256withRSA (PKCS#1 v1.5) with the app private key, base64.
- Notifications: every parameter except ``sign`` and ``sign_type``, sorted, joined ``k=v&...``,
  verified with the Alipay public key. The caller then checks app id, seller, order and amount.
- Answers of gateway.do calls (query, close, refund): the signature covers the exact JSON text
  of the ``<method>_response`` member, verified with the Alipay public key before use.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone

from .base import (
    GatewayError,
    NotificationRejected,
    PaymentGateway,
    PaymentRedirect,
    PaymentRequest,
    RefundResult,
    TradeResult,
)

PAGE_PAY = "alipay.trade.page.pay"
WAP_PAY = "alipay.trade.wap.pay"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _pem(text: str | bytes, kind: str) -> bytes:
    """Accept a PEM file or the bare base64 body Alipay's key tool produces."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    text = text.strip()
    if "-----BEGIN" in text:
        return text.encode("ascii")
    body = "".join(text.split())
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n".encode("ascii")


def load_private_key(text: str | bytes) -> rsa.RSAPrivateKey:
    errors = []
    for kind in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        try:
            key = serialization.load_pem_private_key(_pem(text, kind), password=None)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("支付宝应用私钥必须是 RSA 密钥")
        return key
    raise ValueError(f"无法读取支付宝应用私钥：{errors[-1]}")


def load_public_key(text: str | bytes) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(_pem(text, "PUBLIC KEY"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("支付宝公钥必须是 RSA 公钥")
    return key


def sign_content(params: dict[str, str]) -> str:
    """The string a request signature covers: sign excluded, empty values dropped, sorted k=v&..."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] not in (None, ""))


def verify_content(params: dict[str, str]) -> str:
    """The string a notification signature covers: sign and sign_type excluded, sorted k=v&..."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type"))


def rsa2_sign(private_key: rsa.RSAPrivateKey, message: str) -> str:
    signature = private_key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def rsa2_verify(public_key: rsa.RSAPublicKey, message: str, sign: str) -> bool:
    try:
        signature = base64.b64decode(sign, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        public_key.verify(signature, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def extract_signed_response(body: str, response_key: str) -> tuple[str, dict, str]:
    """(raw JSON text of the response member, its parsed value, the sign) from a gateway.do answer."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        raise GatewayError("支付宝返回的不是 JSON") from None
    marker = f'"{response_key}"'
    start = body.find(marker)
    if start < 0 or response_key not in document:
        error = document.get("error_response") or {}
        raise GatewayError(f"支付宝返回缺少 {response_key}：{error.get('code', '')} {error.get('msg', '')}".strip())
    colon = body.index(":", start + len(marker))
    begin = colon + 1
    while body[begin] in " \t\r\n":
        begin += 1
    value, end = json.JSONDecoder().raw_decode(body, begin)
    return body[begin:end], value, document.get("sign", "")


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        naive = dt.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return None
    return timezone.make_aware(naive)


def _amount(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


class AlipayGateway(PaymentGateway):
    name = "alipay"
    label = "支付宝"

    def __init__(
        self,
        *,
        app_id: str,
        seller_id: str,
        app_private_key: str | bytes,
        alipay_public_key: str | bytes,
        gateway_url: str = "https://openapi.alipay.com/gateway.do",
        timeout: float = 10.0,
    ):
        if not app_id:
            raise ValueError("未配置 ALIPAY_APP_ID")
        self.app_id = app_id
        self.seller_id = seller_id
        self.private_key = load_private_key(app_private_key)
        self.public_key = load_public_key(alipay_public_key)
        self.gateway_url = gateway_url
        self.timeout = timeout

    # --- requests ---------------------------------------------------------------------------
    def build_params(self, method: str, biz_content: dict, **extra: str) -> dict[str, str]:
        params = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": timezone.localtime().strftime(TIME_FORMAT),
            "version": "1.0",
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
        }
        params.update({k: v for k, v in extra.items() if v})
        params["sign"] = rsa2_sign(self.private_key, sign_content(params))
        return params

    def create_payment(self, request: PaymentRequest) -> PaymentRedirect:
        biz = {
            "out_trade_no": request.order_no,
            "total_amount": f"{request.amount:.2f}",
            "subject": request.subject[:256],
            "time_expire": timezone.localtime(request.expires_at).strftime(TIME_FORMAT),
        }
        if request.mobile:
            method = WAP_PAY
            # The right code is QUICK_WAP_WAY (an old python-alipay-sdk default says QUICK_WAP_PAY).
            biz.update({"product_code": "QUICK_WAP_WAY", "quit_url": request.quit_url})
        else:
            method = PAGE_PAY
            biz["product_code"] = "FAST_INSTANT_TRADE_PAY"
        params = self.build_params(method, biz, notify_url=request.notify_url, return_url=request.return_url)
        return PaymentRedirect(url=f"{self.gateway_url}?{urllib.parse.urlencode(params)}")

    def call(self, method: str, biz_content: dict) -> dict:
        """POST a gateway.do request; return the verified response member (code 10000 or an error code)."""
        params = self.build_params(method, biz_content)
        data = urllib.parse.urlencode(params).encode("utf-8")
        http_request = urllib.request.Request(  # noqa: S310 - the configured https gateway URL
            self.gateway_url,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read().decode("utf-8")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"无法连接支付宝：{exc}") from exc
        raw, value, sign = extract_signed_response(body, method.replace(".", "_") + "_response")
        if sign:
            if not rsa2_verify(self.public_key, raw, sign):
                raise GatewayError("支付宝返回的签名验证失败")
        elif value.get("code") == "10000":
            raise GatewayError("支付宝返回缺少签名")
        return value

    @staticmethod
    def _error(value: dict) -> str:
        return " ".join(
            filter(None, [value.get("code"), value.get("msg"), value.get("sub_code"), value.get("sub_msg")])
        )

    # --- notifications ----------------------------------------------------------------------
    def verify_notification(self, params: dict[str, str]) -> TradeResult:
        sign = params.get("sign", "")
        if not sign:
            raise NotificationRejected("缺少签名")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise NotificationRejected(f"不支持的签名类型 {params.get('sign_type')}")
        if not rsa2_verify(self.public_key, verify_content(params), sign):
            raise NotificationRejected("签名验证失败")
        amount = _amount(params.get("total_amount"))
        if amount is None or not params.get("out_trade_no") or not params.get("trade_status"):
            raise NotificationRejected("缺少订单号、交易状态或金额")
        return TradeResult.from_notification(params, amount=amount, paid_at=_parse_time(params.get("gmt_payment")))

    # --- query / close / refund -------------------------------------------------------------
    def query(self, *, order_no: str) -> TradeResult | None:
        value = self.call("alipay.trade.query", {"out_trade_no": order_no})
        if value.get("code") != "10000":
            if value.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return None
            raise GatewayError(f"支付宝交易查询失败：{self._error(value)}")
        if value.get("out_trade_no") != order_no:
            raise GatewayError("支付宝交易查询返回的订单号不符")
        return TradeResult(
            order_no=order_no,
            trade_no=value.get("trade_no", ""),
            trade_status=value.get("trade_status", ""),
            amount=_amount(value.get("total_amount")),
            # Signed answer to our own app's question: it is ours by construction.
            app_id=self.app_id,
            seller_id=self.seller_id,
            paid_at=_parse_time(value.get("send_pay_date")),
            raw=value,
        )

    def close(self, *, order_no: str) -> bool:
        value = self.call("alipay.trade.close", {"out_trade_no": order_no})
        if value.get("code") == "10000" or value.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return True
        if value.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            return False
        raise GatewayError(f"支付宝关闭交易失败：{self._error(value)}")

    def refund(
        self, *, order_no: str, trade_no: str, amount: Decimal, out_request_no: str, reason: str
    ) -> RefundResult:
        value = self.call(
            "alipay.trade.refund",
            {
                "out_trade_no": order_no,
                "refund_amount": f"{amount:.2f}",
                "out_request_no": out_request_no,
                "refund_reason": reason[:256],
            },
        )
        if value.get("code") != "10000":
            raise GatewayError(f"支付宝退款失败：{self._error(value)}")
        if value.get("out_trade_no") not in (None, order_no):
            raise GatewayError("支付宝退款返回的订单号不符")
        refunded = _amount(value.get("refund_fee")) or amount
        return RefundResult(refund_no=f"{value.get('trade_no', trade_no)}:{out_request_no}", amount=refunded, raw=value)
