"""The text-embedding store: same embeddings, same training step, no encoder built."""
import os
import subprocess
import sys

import pytest
import torch

from mmflowrvs.datasets.text_utils import swap_left_right
from mmflowrvs.models.text_encoders import UMT5TextEncoder
from mmflowrvs.models.text_encoders.embedding_store import ShardWriter, write_index

from ._builders import build_tiny_flowrvs, make_batch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPTS = ['the red square', 'the blue circle moving left', 'a dog on the Left side']


def write_store(enc: UMT5TextEncoder, prompts, out: str, shard_bytes: int = 1 << 30) -> str:
    """What the tool does, in one process: encode cleaned prompts, write shards + index."""
    writer = ShardWriter(out, 'r00000', shard_bytes=shard_bytes)
    cleaned = sorted(set(enc.clean_prompts(prompts)))
    for p, e in zip(cleaned, enc.encode_trimmed(cleaned)):
        writer.add(p, e)
    writer.flush()
    write_index(out, enc.fingerprint(), enc.embed_dim, enc.torch_dtype or torch.float32,
                [writer.entries])
    return out


@pytest.mark.parametrize('dtype', [None, 'bf16'])
def test_store_equals_live_encoder_bitwise_incl_flipped(tiny_wan_dir, tmp_path, dtype):
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, dtype=dtype)
    flipped = [swap_left_right(p) for p in PROMPTS]
    assert flipped[1] != PROMPTS[1]
    write_store(live, PROMPTS + flipped, str(tmp_path / 's'), shard_bytes=64)  # many shards
    assert len([f for f in os.listdir(tmp_path / 's') if f.endswith('.safetensors')]) > 1
    stored = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, dtype=dtype,
                             cache_dir=str(tmp_path / 's'))
    for p in PROMPTS + flipped:
        raw = stored.store[stored.clean_prompts([p])[0]]
        assert raw.dtype == (torch.bfloat16 if dtype else torch.float32)
        assert torch.equal(raw, live.encode_trimmed(stored.clean_prompts([p]))[0])
    assert torch.equal(stored(PROMPTS + flipped), live(PROMPTS + flipped))


def test_store_builds_no_encoder_and_reads_no_weights(tiny_wan_dir, tmp_path, monkeypatch):
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12)
    write_store(live, PROMPTS, str(tmp_path / 's'))
    import transformers
    def boom(*a, **k):
        raise AssertionError('UMT5 weights were loaded')
    monkeypatch.setattr(transformers.UMT5EncoderModel, 'from_pretrained', boom)
    monkeypatch.setattr(transformers.UMT5EncoderModel, '__init__', boom)
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, cache_dir=str(tmp_path / 's'))
    enc(PROMPTS)
    assert enc.encoder is None
    assert not any(isinstance(m, transformers.PreTrainedModel) for m in enc.modules())
    assert sum(p.numel() for p in enc.parameters()) == 0


def test_missing_prompt_names_prompt_and_store_and_falls_back(tiny_wan_dir, tmp_path):
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12)
    store = write_store(live, PROMPTS[:1], str(tmp_path / 's'))
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, cache_dir=store)
    with pytest.raises(KeyError, match=r"'the blue circle moving left'.*index\.json"):
        enc(PROMPTS[:2])
    fallback = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, cache_dir=store,
                               cache_fallback=True)
    assert torch.equal(fallback(PROMPTS), live(PROMPTS))
    assert fallback.encoder is not None


def test_fingerprint_mismatch_names_file_and_both_fingerprints(tiny_wan_dir, tmp_path):
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12)
    store = write_store(live, PROMPTS, str(tmp_path / 's'))
    with pytest.raises(ValueError, match=r'(?s)index\.json.*max_length.*store: .*config: '):
        UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=16, cache_dir=store)
    with pytest.raises(ValueError, match='dtype'):
        UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=12, dtype='bf16', cache_dir=store)


def test_training_step_from_store_equals_live(tiny_wan_dir, tmp_path):
    prompts = ['the red square', 'the blue circle moving left']
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=16)
    store = write_store(live, prompts, str(tmp_path / 's'))
    results = []
    for te in (dict(type='UMT5TextEncoder', max_length=16),
               dict(type='UMT5TextEncoder', max_length=16, cache_dir=store)):
        torch.manual_seed(0)
        model = build_tiny_flowrvs(tiny_wan_dir, text_encoder=te)
        data = model.data_preprocessor(make_batch(prompts=prompts), training=True)
        torch.manual_seed(1)
        torch.manual_seed(1)
        losses = model.loss(**data)
        total = sum(v for v in losses.values() if v.requires_grad)
        total.backward()
        results.append((total.detach(), {n: p.grad.clone() for n, p in model.named_parameters()
                                          if p.grad is not None}))
    assert torch.equal(results[0][0], results[1][0])
    assert results[0][1].keys() == results[1][1].keys() and results[0][1]
    for n in results[0][1]:
        assert torch.equal(results[0][1][n], results[1][1][n]), n


def test_tool_two_processes_writes_a_store_the_encoder_serves(tiny_wan_dir, tmp_path):
    root = str(tmp_path / 'synth')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    subprocess.run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
                    '--num-train', '3', '--num-valid', '2', '--frames', '9-12', '--size',
                    '64x64', '--max-exps', '3'], cwd=REPO, env=env, check=True,
                   capture_output=True)
    cfg = os.path.join(REPO, 'configs', 'quickstart', 'flowrvs_tiny_synthetic.py')
    out = str(tmp_path / 'store')
    opts = ['--cfg-options', f'model.pretrained={tiny_wan_dir}',
            f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}']
    proc = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node',
                           '2', '--master_port', '29731', 'tools/misc/cache_text_embeddings.py',
                           cfg, '--out', out, '--batch-size', '4', '--launcher', 'pytorch',
                           *opts], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '2 process(es)' in proc.stdout, proc.stdout
    shards = sorted(f for f in os.listdir(out) if f.endswith('.safetensors'))
    assert shards[0].startswith('shard-r00000') and shards[-1].startswith('shard-r00001')
    from mmengine.config import Config

    from mmflowrvs.registry import DATASETS
    c = Config.fromfile(cfg)
    ds = DATASETS.build(dict(c.train_dataloader.dataset, data_root=root, pipeline=[]))
    exps = {ds.get_data_info(i)['expression'] for i in range(len(ds))}
    enc = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=32, cache_dir=out)
    live = UMT5TextEncoder(pretrained=tiny_wan_dir, max_length=32)
    probe = sorted(exps)[:3] + [swap_left_right(e) for e in sorted(exps)[:3]]
    assert torch.equal(enc(probe), live(probe))
