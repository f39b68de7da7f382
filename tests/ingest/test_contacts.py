"""contacts: e-mails, phones, domains and company names as exports write them."""

from __future__ import annotations

import hashlib

import pytest

from reviewkit.ingest.contacts import (
    email_hash,
    normalise_company,
    normalise_domain,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Taro.Yamada@Example.CO.JP", "taro.yamada@example.co.jp"),
        (" taro@example.com\r\n", "taro@example.com"),
        ("\ttaro@example.com\t", "taro@example.com"),
        ("\u3000taro@example.com\u3000", "taro@example.com"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "taro@example.com"),
        ("Taro Yamada <Taro@Example.com>", "taro@example.com"),
        ("mailto:Taro@Example.com", "taro@example.com"),
        ("a@example.com; b@example.com", "a@example.com"),
        ("no-at-sign", None),
        ("@example.com", None),
        ("taro@", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_email(text, expected):
    assert normalise_email(text) == expected


def test_email_hash():
    expected = hashlib.sha256(b"taro@example.com").hexdigest()
    assert email_hash(" Taro@Example.com\r\n") == expected
    assert email_hash("taro@example.com") == expected
    assert email_hash("nobody") is None
    assert email_hash(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03-1234-5678", "0312345678"),
        ("(03) 1234-5678", "0312345678"),
        ("０３－１２３４－５６７８", "0312345678"),
        ("+81 3 1234 5678", "+81312345678"),
        ("+81 (0)3-1234-5678", "+81312345678"),
        ("+1 (555) 123-4567", "+15551234567"),
        ("+1 555 123 4567 ext. 12", "+15551234567"),
        ("555-123-4567 x12", "5551234567"),
        ("03-1234-5678 内線12", "0312345678"),
        ("tel:+81-3-1234-5678", "+81312345678"),
        ("n/a", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_phone(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.Example.co.jp/", "example.co.jp"),
        ("http://example.com/about?x=1", "example.com"),
        ("https://sub.example.com:8443/x", "sub.example.com"),
        ("www.example.com", "example.com"),
        ("Example.com", "example.com"),
        ("example.com.", "example.com"),
        ("taro@Example.co.jp", "example.co.jp"),
        (" Taro <taro@www.example.jp> ", "example.jp"),
        ("ｅｘａｍｐｌｅ．ｊｐ", "example.jp"),
        ("localhost", None),
        ("not a domain", None),
        ("http://", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_domain(text, expected):
    assert normalise_domain(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("株式会社サンプル", "サンプル"),
        ("サンプル株式会社", "サンプル"),
        ("株式会社 サンプル", "サンプル"),
        ("サンプル㈱", "サンプル"),
        ("(株)サンプル", "サンプル"),
        ("（株）サンプル", "サンプル"),
        ("有限会社テスト", "テスト"),
        ("テスト(有)", "テスト"),
        ("合同会社ABC", "abc"),
        ("ＡＢＣ　株式会社", "abc"),
        ("Example Co., Ltd.", "example"),
        ("Example Co.,Ltd.", "example"),
        ("Example Inc.", "example"),
        ("Example, Inc.", "example"),
        ("ACME Corporation", "acme"),
        ("Acme Corp.", "acme"),
        ("Foo LLC", "foo"),
        ("Foo Limited", "foo"),
        ("Sample K.K.", "sample"),
        ("Example Pte. Ltd.", "example"),
        ("Coca-Cola Co.", "cocacola"),
        ("Co-op Foods", "coopfoods"),  # a leading "Co" is part of the name
        ("Incubate Fund", "incubatefund"),
        ("AT&T", "att"),
        ("株式会社", "株式会社"),  # only a legal form: kept rather than emptied
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_company(name, expected):
    assert normalise_company(name) == expected


def test_same_company_across_systems():
    names = ["株式会社サンプル", "サンプル㈱", "（株）サンプル", "ｻﾝﾌﾟﾙ 株式会社"]
    assert {normalise_company(n) for n in names} == {"サンプル"}
