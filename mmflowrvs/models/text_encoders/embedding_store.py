"""A memory-mapped store of trimmed text embeddings, keyed by the cleaned prompt.

Layout of a store folder (written by ``tools/misc/cache_text_embeddings.py``)::

    DIR/index.json                   fingerprint, dtype, embed_dim and, per prompt,
                                     [shard file, first row, number of tokens]
    DIR/shard-r00000-00000.safetensors  one tensor ``embeddings`` (N_tokens, D): the
                                     prompts' trimmed embeddings one after the other

Shards are opened with ``safetensors.safe_open`` (memory-mapped): reading a prompt
copies only its rows. The fingerprint names what produced the embeddings (tokenizer
files, encoder config, weight files, max_length, dtype); a store is refused when it
does not match the encoder that would use it.
"""
import hashlib
import json
import os
from typing import Dict, Iterable, List, Optional, Tuple

import torch

INDEX_FILE = 'index.json'
STORE_VERSION = 1
_SAMPLE_BYTES = 1 << 20  # bytes hashed at each end of a weight file


def _hash_file(path: str, whole: bool) -> str:
    """SHA-256 of a file (``whole``) or of its size and first/last MiB."""
    digest = hashlib.sha256()
    size = os.path.getsize(path)
    digest.update(str(size).encode())
    with open(path, 'rb') as f:
        if whole or size <= 2 * _SAMPLE_BYTES:
            for chunk in iter(lambda: f.read(1 << 22), b''):
                digest.update(chunk)
        else:
            digest.update(f.read(_SAMPLE_BYTES))
            f.seek(size - _SAMPLE_BYTES)
            digest.update(f.read(_SAMPLE_BYTES))
    return digest.hexdigest()[:16]


def _hash_folder(folder: str, suffixes: Optional[Tuple[str, ...]] = None,
                 whole: bool = True) -> str:
    """Digest of the (name, content digest) pairs of a folder's files."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or (suffixes and not name.endswith(suffixes)):
            continue
        digest.update(name.encode())
        digest.update(_hash_file(path, whole).encode())
    return digest.hexdigest()[:16]


def encoder_fingerprint(text_path: str, tokenizer_path: str, max_length: int,
                        dtype: torch.dtype) -> Dict[str, str]:
    """What determines a prompt's embeddings, without loading any weights.

    Args:
        text_path (str): The encoder's folder (``config.json`` and weight files).
        tokenizer_path (str): The tokenizer's folder.
        max_length (int): Token length the prompts are truncated to.
        dtype (torch.dtype): The encoder's weight (and output) dtype.

    Returns:
        dict: ``tokenizer``, ``encoder_config``, ``weights`` (digests: the tokenizer
        files whole; the weight files by name, size and first/last MiB),
        ``max_length`` and ``dtype``.
    """
    return dict(
        tokenizer=_hash_folder(tokenizer_path),
        encoder_config=_hash_file(os.path.join(text_path, 'config.json'), whole=True),
        weights=_hash_folder(text_path, ('.safetensors', '.bin', '.json'), whole=False),
        max_length=str(max_length),
        dtype=str(dtype).replace('torch.', ''))


class TextEmbeddingStore:
    """Reads a store folder: ``store[prompt]`` -> (n_tokens, D) in the stored dtype.

    Args:
        store_dir (str): The folder with ``index.json``.
        expected_fingerprint (dict, optional): Refuse the store unless its
            fingerprint equals this one.

    Raises:
        FileNotFoundError: If the folder or its index is missing.
        ValueError: If the fingerprint does not match (both are in the message).
    """

    def __init__(self, store_dir: str,
                 expected_fingerprint: Optional[Dict[str, str]] = None) -> None:
        index_path = os.path.join(store_dir, INDEX_FILE)
        if not os.path.isfile(index_path):
            raise FileNotFoundError(
                f'text-embedding store {store_dir!r} has no {INDEX_FILE}: write one with '
                'tools/misc/cache_text_embeddings.py CONFIG --out DIR')
        with open(index_path) as f:
            index = json.load(f)
        self.store_dir = store_dir
        self.index_path = index_path
        self.fingerprint: Dict[str, str] = index['fingerprint']
        if expected_fingerprint is not None and self.fingerprint != expected_fingerprint:
            diff = sorted(k for k in set(self.fingerprint) | set(expected_fingerprint)
                          if self.fingerprint.get(k) != expected_fingerprint.get(k))
            raise ValueError(
                f'text-embedding store {index_path} was made by another text encoder '
                f'(differs in: {", ".join(diff)}).\n  store:  {self.fingerprint}\n'
                f'  config: {expected_fingerprint}\nRe-run tools/misc/'
                'cache_text_embeddings.py with this config, or point cache_dir elsewhere.')
        self.embed_dim: int = index['embed_dim']
        self.dtype = getattr(torch, index['dtype'])
        self._entries: Dict[str, List] = index['prompts']
        self._handles: Dict[str, object] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, prompt: str) -> bool:
        return prompt in self._entries

    def prompts(self) -> List[str]:
        """All stored (cleaned) prompts."""
        return list(self._entries)

    def _shard(self, name: str):
        if name not in self._handles:
            from safetensors import safe_open
            self._handles[name] = safe_open(os.path.join(self.store_dir, name),
                                            framework='pt', device='cpu')
        return self._handles[name]

    def __getitem__(self, prompt: str) -> torch.Tensor:
        if prompt not in self._entries:
            raise KeyError(f'prompt {prompt!r} is not in the text-embedding store '
                           f'{self.index_path}')
        shard, start, length = self._entries[prompt]
        return self._shard(shard).get_slice('embeddings')[start:start + length]

    def __getstate__(self) -> dict:  # dataloader workers / deepcopy: reopen lazily
        state = dict(self.__dict__)
        state['_handles'] = {}
        return state


class ShardWriter:
    """Appends trimmed embeddings to safetensors shards of at most ``shard_bytes``.

    Args:
        store_dir (str): Output folder.
        prefix (str): Shard name prefix, unique per process (e.g. ``'r00001'``).
        shard_bytes (int): Start a new shard past this size. Defaults to 1 GiB.
    """

    def __init__(self, store_dir: str, prefix: str, shard_bytes: int = 1 << 30) -> None:
        os.makedirs(store_dir, exist_ok=True)
        self.store_dir, self.prefix, self.shard_bytes = store_dir, prefix, shard_bytes
        self.entries: Dict[str, List] = {}
        self.num_bytes = 0
        self._pending: List[torch.Tensor] = []
        self._rows = 0
        self._pending_bytes = 0
        self._num_shards = 0

    @property
    def _name(self) -> str:
        return f'shard-{self.prefix}-{self._num_shards:05d}.safetensors'

    def add(self, prompt: str, embedding: torch.Tensor) -> None:
        """Adds one prompt's (n_tokens, D) embedding."""
        self.entries[prompt] = [self._name, self._rows, int(embedding.shape[0])]
        self._pending.append(embedding.contiguous())
        self._rows += embedding.shape[0]
        self._pending_bytes += embedding.numel() * embedding.element_size()
        if self._pending_bytes >= self.shard_bytes:
            self.flush()

    def flush(self) -> None:
        """Writes the pending embeddings as one shard."""
        if not self._pending:
            return
        from safetensors.torch import save_file
        save_file({'embeddings': torch.cat(self._pending)},
                  os.path.join(self.store_dir, self._name))
        self.num_bytes += self._pending_bytes
        self._pending, self._rows, self._pending_bytes = [], 0, 0
        self._num_shards += 1


def write_index(store_dir: str, fingerprint: Dict[str, str], embed_dim: int,
                dtype: torch.dtype, entries: Iterable[Dict[str, List]]) -> str:
    """Writes ``index.json`` from the writers' entries (one dict per process).

    Returns:
        str: The index path.

    Raises:
        ValueError: If two processes stored the same prompt.
    """
    merged: Dict[str, List] = {}
    for part in entries:
        twice = set(part) & set(merged)
        if twice:
            raise ValueError(f'prompts stored twice: {sorted(twice)[:5]}')
        merged.update(part)
    index = dict(version=STORE_VERSION, fingerprint=fingerprint, embed_dim=embed_dim,
                 dtype=str(dtype).replace('torch.', ''), prompts=merged)
    path = os.path.join(store_dir, INDEX_FILE)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(index, f)
    os.replace(tmp, path)
    return path
