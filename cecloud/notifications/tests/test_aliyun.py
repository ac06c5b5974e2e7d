"""The Aliyun sender against a fake Dysms endpoint on 127.0.0.1 that checks the RPC signature."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cecloud.notifications.senders import SmsError, SmsRateLimited, get_sender
from cecloud.notifications.senders.aliyun import AliyunSender, sign

KEY_ID = "LTAI-test-key"
SECRET = "test-secret/with+chars"
TEMPLATES = {"verify_code": "SMS_100001", "application_approved": "SMS_100002"}


def reference_signature(params: dict[str, str], secret: str, method: str) -> str:
    """Written from the provider's documentation, independently of the sender's code."""

    def enc(value: str) -> str:
        out = []
        for byte in value.encode("utf-8"):
            ch = chr(byte)
            out.append(ch if ch.isascii() and (ch.isalnum() or ch in "-_.~") else f"%{byte:02X}")
        return "".join(out)

    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    string_to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    return base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeDysms(BaseHTTPRequestHandler):
    mode = "ok"
    received: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        type(self).received.append(params)
        signature = params.pop("Signature", "")
        if self.mode == "broken":
            return self._reply(502, b"<html>bad gateway</html>", "text/html")
        required = {
            "AccessKeyId",
            "Action",
            "Format",
            "RegionId",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Timestamp",
            "Version",
            "PhoneNumbers",
            "SignName",
            "TemplateCode",
            "TemplateParam",
        }
        if not required <= params.keys():
            return self._json(400, {"Code": "MissingParameter", "Message": str(required - params.keys())})
        if params["AccessKeyId"] != KEY_ID:
            return self._json(
                404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
            )
        if not hmac.compare_digest(signature, reference_signature(params, SECRET, "POST")):
            return self._json(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."})
        if self.mode == "limit":
            return self._json(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控Permits:5"})
        return self._json(
            200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}
        )

    def _json(self, status, data):
        self._reply(status, json.dumps(data).encode(), "application/json")

    def _reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_dysms():
    FakeDysms.mode = "ok"
    FakeDysms.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDysms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield FakeDysms, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def sender(endpoint, secret=SECRET, key_id=KEY_ID):
    return AliyunSender(
        access_key_id=key_id,
        access_key_secret=secret,
        sign_name="江苏工勤继续教育",
        endpoint=endpoint,
        templates=TEMPLATES,
    )


def test_signature_matches_the_providers_documented_example():
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert sign(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert reference_signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_send_is_signed_and_accepted(fake_dysms):
    server, endpoint = fake_dysms
    result = sender(endpoint).send("13800000001", "verify_code", {"code": "123456"})
    assert result.provider_id == "900619746936498440^0" and result.request_id == "F655A8D5"
    (params,) = server.received
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13800000001" and params["TemplateCode"] == "SMS_100001"
    assert params["SignName"] == "江苏工勤继续教育"  # non-ASCII survives the encoding and the signature
    assert json.loads(params["TemplateParam"]) == {"code": "123456"}
    assert params["Timestamp"].endswith("Z") and len(params["SignatureNonce"]) >= 16


def test_each_request_has_a_fresh_nonce(fake_dysms):
    server, endpoint = fake_dysms
    s = sender(endpoint)
    s.send("13800000001", "verify_code", {"code": "1"})
    s.send("13800000001", "verify_code", {"code": "2"})
    assert server.received[0]["SignatureNonce"] != server.received[1]["SignatureNonce"]


def test_wrong_secret_is_refused_by_the_signature_check(fake_dysms):
    _, endpoint = fake_dysms
    with pytest.raises(SmsError) as exc:
        sender(endpoint, secret="not-the-secret").send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "SignatureDoesNotMatch" and not exc.value.transient


def test_unknown_access_key(fake_dysms):
    _, endpoint = fake_dysms
    with pytest.raises(SmsError) as exc:
        sender(endpoint, key_id="someone-else").send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "InvalidAccessKeyId.NotFound"


def test_provider_flow_control_is_a_rate_limit_error(fake_dysms):
    server, endpoint = fake_dysms
    server.mode = "limit"
    with pytest.raises(SmsRateLimited) as exc:
        sender(endpoint).send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "isv.BUSINESS_LIMIT_CONTROL"


def test_a_non_json_gateway_error_is_transient(fake_dysms):
    server, endpoint = fake_dysms
    server.mode = "broken"
    with pytest.raises(SmsError) as exc:
        sender(endpoint).send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "http_502" and exc.value.transient


def test_connection_refused_is_a_transient_network_error():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SmsError) as exc:
        sender(f"http://127.0.0.1:{port}/").send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "network" and exc.value.transient


def test_missing_template_code_or_keys_are_configuration_errors(fake_dysms, settings):
    _, endpoint = fake_dysms
    with pytest.raises(SmsError) as exc:
        sender(endpoint).send("13800000001", "correction_rejected", {"reason": "x"})
    assert exc.value.code == "config"
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ""
    with pytest.raises(SmsError, match="AccessKey"):
        get_sender()


def test_selected_by_settings_with_template_codes_from_the_environment(fake_dysms, settings):
    server, endpoint = fake_dysms
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = SECRET
    settings.SMS_ALIYUN_ENDPOINT = endpoint
    settings.SMS_ALIYUN_TEMPLATE_CODES = "verify_code=SMS_1,application_approved=SMS_2, correction_approved = SMS_3"
    s = get_sender()
    s.send("13800000001", "verify_code", {"code": "1"})
    s.send("13800000001", "correction_approved", {"name": "张三"})
    assert [p["TemplateCode"] for p in server.received] == ["SMS_1", "SMS_3"]
