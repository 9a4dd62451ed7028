"""tools/analysis_tools/benchmark_train_step.py on the tiny Wan folder (the CPU path of
the real-size benchmark): a measured row per lever set, predicted rows over budget."""
import subprocess
import sys

from .toy_mevis_config import REPO, tool_env


def _table(args):
    proc = subprocess.run([sys.executable, 'tools/analysis_tools/benchmark_train_step.py',
                           'configs/flowrvs_mevis_24gb.py', *args], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {}
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('| ') and cells[0] not in ('row',):
            rows[cells[0]] = cells
    return rows


def test_rows_measured_on_cpu_and_predicted_over_budget(tiny_wan_dir):
    rows = _table(['--wan-folder', tiny_wan_dir, '--frames', '5', '--size', '32x32',
                   '--steps', '2', '--device', 'cpu', '--levers', 'straightforward',
                   'plan-no-ema'])
    for name in ('straightforward', 'plan-no-ema'):
        row, clip, tokens, rss, static, sec, tok_s, lost = rows[name]
        assert clip == '5x32x32' and int(tokens) == 2 * 2 * 2  # T' x h x w patches
        assert float(rss) > 0 and float(sec) > 0 and float(tok_s) > 0
    assert rows['straightforward'][-1] == '0.0 %'  # fp32: every update lands
    assert float(rows['plan-no-ema'][-1].rstrip(' %')) > 0  # bf16: some round away
    over = _table(['--wan-folder', tiny_wan_dir, '--frames', '5', '--size', '32x32',
                   '--device', 'cpu', '--levers', 'plan', '--mem-budget-gb', '0.01'])
    assert 'does not fit (predicted' in over['plan'][3]
