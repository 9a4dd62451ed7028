import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_make_tiny_wan_quickstart_arch(tmp_path):
    folders = {}
    for arch in ('tiny', 'quickstart'):
        out = str(tmp_path / arch)
        subprocess.run([sys.executable, 'tools/misc/make_tiny_wan.py', out, '--arch', arch],
                       cwd=REPO, check=True, capture_output=True)
        folders[arch] = {sub: json.load(open(os.path.join(out, sub, 'config.json')))
                         for sub in ('transformer', 'vae')}
    dit = folders['quickstart']['transformer']
    assert dit['num_layers'] == 4
    assert dit['num_attention_heads'] * dit['attention_head_dim'] == 128
    assert folders['tiny']['transformer']['num_layers'] == 2
    # the quickstart's VAE down-samples twice (4x spatial and temporal), the tiny one 3 times
    assert folders['quickstart']['vae']['dim_mult'] == [1, 2, 4]
    assert folders['quickstart']['vae']['temperal_downsample'] == [True, True]
    assert folders['tiny']['vae']['temperal_downsample'] == [False, True, True]
