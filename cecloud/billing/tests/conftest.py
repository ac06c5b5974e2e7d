import pytest
from django.test import override_settings

from .fake_alipay import FakeAlipay, bare, new_key, private_pem, public_pem

APP_ID = "2021000123456789"
SELLER_ID = "2088102177846875"


@pytest.fixture
def alipay(tmp_path):
    """Alipay configured against a fake gateway on 127.0.0.1 with its own key pair.

    The app private key is written as Alipay's key tool gives it (bare base64), the Alipay public
    key as PEM; both forms are accepted by the gateway."""
    app_key = new_key()
    fake = FakeAlipay(app_id=APP_ID, seller_id=SELLER_ID, app_public_key_pem=public_pem(app_key)).start()
    private_path = tmp_path / "app_private_key.txt"
    private_path.write_text(bare(private_pem(app_key)))
    public_path = tmp_path / "alipay_public_key.pem"
    public_path.write_text(fake.public_key_pem)
    with override_settings(
        PAYMENT_GATEWAY="alipay",
        ALIPAY_APP_ID=APP_ID,
        ALIPAY_SELLER_ID=SELLER_ID,
        ALIPAY_APP_PRIVATE_KEY_PATH=str(private_path),
        ALIPAY_PUBLIC_KEY_PATH=str(public_path),
        ALIPAY_GATEWAY_URL=fake.url,
        CECLOUD_PUBLIC_BASE_URL="https://cecloud.example.cn",
    ):
        fake.app_key = app_key
        yield fake
    fake.stop()
