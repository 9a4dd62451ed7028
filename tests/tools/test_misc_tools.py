import json
import os
import runpy
import subprocess
import sys

import pytest

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


def test_make_tiny_roberta_cli_writes_a_loadable_folder(tmp_path, monkeypatch, capsys):
    from transformers import AutoConfig, AutoTokenizer
    tool = os.path.join(REPO, 'tools', 'misc', 'make_tiny_roberta.py')
    out = str(tmp_path / 'roberta')

    def run(*args):
        monkeypatch.setattr(sys, 'argv', [tool, out, *args])
        with pytest.raises(SystemExit) as exit_info:
            runpy.run_path(tool, run_name='__main__')
        return exit_info.value.code

    assert run('--hidden-size', '16', '--layers', '1', '--heads', '2', '--words', 'zebra') == 0
    config = AutoConfig.from_pretrained(out)
    assert (config.model_type, config.hidden_size, config.num_hidden_layers) == ('roberta', 16, 1)
    assert AutoTokenizer.from_pretrained(out).tokenize('a zebra') == ['a', 'Ġzebra']
    assert run('--hidden-size', '15', '--heads', '2') == 1
    assert 'not a multiple of --heads' in capsys.readouterr().err
