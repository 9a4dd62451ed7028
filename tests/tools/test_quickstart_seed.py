"""tools/quickstart.py seeds every training stage and records the seed (the stages'
commands are captured instead of run)."""
import importlib.util
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load_quickstart():
    spec = importlib.util.spec_from_file_location(
        'quickstart_tool', os.path.join(REPO, 'tools', 'quickstart.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_training_stage_gets_the_seed(tmp_path, monkeypatch):
    quickstart = _load_quickstart()
    commands = []

    def fake_run(cmd, log_path):
        commands.append(cmd)
        return 'J: 50.0 F: 40.0 J&F: 45.0\n'

    monkeypatch.setattr(quickstart, 'run', fake_run)
    monkeypatch.setattr(quickstart, 'latest', lambda folder: os.path.join(folder, 'iter_1.pth'))
    monkeypatch.setattr(sys, 'argv', ['quickstart.py', '--work-dir', str(tmp_path / 'w'),
                                      '--data-root', str(tmp_path / 'd'), '--seed', '7'])
    quickstart.main()
    trains = [c for c in commands if c[1] == 'tools/train.py']
    tests = [c for c in commands if c[1] == 'tools/test.py']
    assert len(trains) == 3 and len(tests) == 2
    assert all('randomness.seed=7' in c for c in trains)
    summary = json.loads((tmp_path / 'w' / 'summary.json').read_text())
    assert summary['seed'] == 7 and summary['scores']['JF'] == 45.0
