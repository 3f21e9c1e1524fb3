"""Webhook secrets sealed with AES-256-GCM under keys from the settings.

A sealed secret is ``v1`` + the key's 4-byte id + a 12-byte random nonce + the ciphertext and
its tag. The first key seals; every key given opens what it sealed, so that a new key can be
put first while the old one still opens the secrets sealed before (rotating the key is
rotating each endpoint's secret, or leaving the old key listed second).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"v1"
_NONCE = 12
_CONTEXT = b"portfolio webhook secret"
"""Associated data: a sealed value made for something else never opens as a secret."""


def key_id(key: bytes) -> bytes:
    """Four bytes naming ``key`` without telling it."""
    return hashlib.sha256(b"portfolio key id" + key).digest()[:4]


class AesGcmSecretBox:
    """SecretBox over AES-GCM; with no key it is not ``ready`` and seals nothing."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self._keys = {key_id(key): AESGCM(key) for key in keys}
        self._sealing = (key_id(keys[0]), AESGCM(keys[0])) if keys else None

    def __repr__(self) -> str:
        return f"AesGcmSecretBox({len(self._keys)} keys)"

    @property
    def ready(self) -> bool:
        """Whether a key is set to seal with."""
        return self._sealing is not None

    def seal(self, secret: str) -> bytes:
        """The secret, sealed under the first key."""
        if self._sealing is None:
            raise ValueError("no key to seal with")
        name, cipher = self._sealing
        nonce = os.urandom(_NONCE)
        return _VERSION + name + nonce + cipher.encrypt(nonce, secret.encode(), _CONTEXT)

    def open(self, sealed: bytes) -> str:
        """The secret; ValueError when no key held opens it."""
        version, name = sealed[:2], sealed[2:6]
        cipher = self._keys.get(name)
        if version != _VERSION or cipher is None:
            raise ValueError("sealed with a key that is not set")
        nonce, body = sealed[6 : 6 + _NONCE], sealed[6 + _NONCE :]
        try:
            return cipher.decrypt(nonce, body, _CONTEXT).decode()
        except InvalidTag:
            raise ValueError("the sealed secret does not open") from None
