import json

import pytest

from cecloud.notifications.senders import SmsError, get_sender
from cecloud.notifications.senders.console import ConsoleSender
from cecloud.notifications.senders.file import FileSender, read_messages
from cecloud.notifications.sms_templates import TEMPLATES, render_text


def test_file_sender_appends_one_json_line_per_message(sms_file):
    sender = get_sender()
    assert isinstance(sender, FileSender)
    sender.send("13800000001", "verify_code", {"code": "123456"})
    sender.send("13800000002", "application_approved", {"name": "张三"})
    lines = sms_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["phone"] == "13800000001" and first["params"] == {"code": "123456"}
    assert "123456" in first["text"] and "5分钟内有效" in first["text"]
    assert [m["phone"] for m in read_messages(phone="13800000002")] == ["13800000002"]
    assert "张三您好" in read_messages()[1]["text"]


def test_file_sender_reports_an_unwritable_path_as_an_sms_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(SmsError) as exc:
        FileSender(blocker / "sms.log").send("13800000001", "verify_code", {"code": "1"})
    assert exc.value.code == "file"


def test_console_sender_prints_the_text(capsys, settings):
    settings.SMS_BACKEND = "console"
    sender = get_sender()
    assert isinstance(sender, ConsoleSender)
    sender.send("13800000001", "verify_code", {"code": "654321"})
    out = capsys.readouterr().out
    assert "13800000001" in out and "654321" in out


def test_unknown_backend_is_a_clear_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(SmsError, match="未知的短信通道"):
        get_sender()


def test_every_template_renders_its_variables():
    for name in TEMPLATES:
        text = render_text(name, {"code": "1", "name": "张三", "reason": "信息不全", "hotline": "4000968823"})
        assert "${" not in text
    with pytest.raises(KeyError):
        render_text("nope", {})


@pytest.mark.parametrize("backend", ["console", "file"])
def test_development_senders_refuse_to_run_in_production(settings, sms_file, backend, capsys):
    settings.SMS_BACKEND = backend
    settings.CECLOUD_ENV = "production"
    with pytest.raises(SmsError, match="生产环境不能使用") as exc:
        get_sender().send("13800000001", "verify_code", {"code": "246810"})
    assert exc.value.code == "config"
    assert "246810" not in capsys.readouterr().out and not sms_file.exists()
