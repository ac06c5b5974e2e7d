"""SMS templates by name. Providers hold their own approved copy (Aliyun: a template code per
name, ``settings.SMS_ALIYUN_TEMPLATE_CODES``); the text here is what development senders show
and must match the approved wording."""

from __future__ import annotations

import re

TEMPLATES: dict[str, str] = {
    "verify_code": "您的验证码为${code}，5分钟内有效，请勿泄露给他人。如非本人操作，请忽略本短信。",
    "application_approved": "${name}您好，您的入库申请已审核通过，请使用身份证号登录江苏工勤人员继续教育云平台，默认密码为身份证号后六位。",
    "application_rejected": "${name}您好，您的入库申请未通过审核，原因：${reason}。如有疑问请联系客服${hotline}。",
    "already_registered": "您的身份证号已在人员库中，无需申请入库，请直接登录江苏工勤人员继续教育云平台；忘记密码可使用“找回密码”。",
    "correction_approved": "${name}您好，您的信息修改申请已审核通过，请登录江苏工勤人员继续教育云平台查看。",
    "correction_rejected": "${name}您好，您的信息修改申请未通过审核，原因：${reason}。",
    "study_reminder": "${name}您好，${unit}提醒您：您${year}年度的工勤人员继续教育尚未完成，请尽快登录江苏工勤人员继续教育云平台完成${action}。",
}

_VAR = re.compile(r"\$\{(\w+)\}")


def render_text(template: str, params: dict[str, str]) -> str:
    if template not in TEMPLATES:
        raise KeyError(f"unknown SMS template {template!r}")
    return _VAR.sub(lambda m: str(params.get(m.group(1), "")), TEMPLATES[template])


def template_variables(template: str) -> set[str]:
    return set(_VAR.findall(TEMPLATES[template]))
