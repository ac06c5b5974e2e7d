"""Aliyun (阿里云短信服务, Dysms) ``SendSms`` over HTTPS with the RPC signature (HMAC-SHA1, version 1.0).

No SDK: the official one pulls in a large dependency tree for one signed POST. The request is
built as the provider documents it:

* common parameters ``AccessKeyId, Action=SendSms, Format=JSON, RegionId, SignatureMethod=HMAC-SHA1,
  SignatureNonce (uuid4), SignatureVersion=1.0, Timestamp (UTC, ISO 8601), Version=2017-05-25`` and
  the API's ``PhoneNumbers, SignName, TemplateCode, TemplateParam (JSON)``;
* canonical query: parameters sorted by name, names and values percent-encoded (RFC 3986:
  only ``A-Z a-z 0-9 - _ . ~`` left as is, space as ``%20``), joined ``k=v&…``;
* ``StringToSign = METHOD & percent("/") & percent(canonical query)``;
* ``Signature = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``.

The response is JSON ``{"Code": "OK", "Message": "OK", "BizId": …, "RequestId": …}``; any other
``Code`` (or a transport failure) raises ``SmsError`` (``SmsRateLimited`` for the provider's
per-phone flow control).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings

from .base import SmsError, SmsRateLimited, SmsResult, SmsSender

logger = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
RATE_LIMIT_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.MINUTE_LIMIT_CONTROL"}
TRANSIENT_CODES = {"Throttling", "Throttling.User", "ServiceUnavailable", "InternalError", "isp.SYSTEM_ERROR"}


def percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def sign(params: dict[str, str], secret: str, method: str = "POST") -> str:
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def template_codes() -> dict[str, str]:
    """The one template setting: ``SMS_ALIYUN_TEMPLATE_CODES="verify_code=SMS_1,application_approved=SMS_2"``
    (message name = Aliyun template code; the names are those of ``notifications/sms_templates.py``)."""
    codes: dict[str, str] = {}
    raw = getattr(settings, "SMS_ALIYUN_TEMPLATE_CODES", "")
    for item in str(raw).split(","):
        if "=" in item:
            name, code = item.split("=", 1)
            codes[name.strip()] = code.strip()
    return codes


class AliyunSender(SmsSender):
    name = "aliyun"

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        endpoint: str | None = None,
        templates: dict[str, str] | None = None,
        region_id: str = "cn-hangzhou",
        timeout: float | None = None,
    ):
        self.access_key_id = access_key_id or settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.access_key_secret = access_key_secret or settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.sign_name = sign_name or settings.SMS_ALIYUN_SIGN_NAME
        self.endpoint = endpoint or settings.SMS_ALIYUN_ENDPOINT
        self.templates = templates if templates is not None else template_codes()
        self.region_id = region_id
        self.timeout = timeout or float(getattr(settings, "SMS_ALIYUN_TIMEOUT", 5))
        if not (self.access_key_id and self.access_key_secret):
            raise SmsError("未配置阿里云短信 AccessKey", code="config")

    def build_params(self, phone: str, template: str, params: dict[str, str]) -> dict[str, str]:
        template_code = self.templates.get(template)
        if not template_code:
            raise SmsError(f"未配置短信模板：{template}", code="config")
        request = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template_code,
            "TemplateParam": json.dumps({k: str(v) for k, v in params.items()}, ensure_ascii=False),
        }
        request["Signature"] = sign(request, self.access_key_secret, "POST")
        return request

    def send(self, phone: str, template: str, params: dict[str, str]) -> SmsResult:
        body = canonical_query(self.build_params(phone, template, params)).encode()
        http_request = urllib.request.Request(  # noqa: S310 - the endpoint is a configured https URL
            self.endpoint,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:  # 4xx/5xx still carry the provider's JSON error
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"短信服务连接失败：{reason}", code="network", transient=True) from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SmsError(
                f"短信服务返回无法解析（HTTP {status}）", code=f"http_{status}", transient=status >= 500
            ) from exc
        code = str(data.get("Code", ""))
        if code == "OK":
            return SmsResult(provider_id=str(data.get("BizId", "")), request_id=str(data.get("RequestId", "")))
        message = str(data.get("Message", "")) or f"HTTP {status}"
        logger.warning("aliyun sms refused", extra={"sms_code": code, "request_id": data.get("RequestId", "")})
        if code in RATE_LIMIT_CODES:
            raise SmsRateLimited(message, code=code)
        raise SmsError(message, code=code or f"http_{status}", transient=code in TRANSIENT_CODES or status >= 500)
