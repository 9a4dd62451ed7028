"""Start-of-training checks of the work dir's checkpoints (tools/train.py).

* A ``<checkpoint>.tmp`` left by a run killed while saving (checkpoints are written
  to ``.tmp`` and renamed, see :mod:`mmflowrvs.utils.compat`) is removed.
* ``--resume`` (auto) on a truncated or corrupt latest checkpoint falls back to the
  newest intact one, naming the bad file(s); an explicit ``--resume PATH`` that is
  corrupt is an error naming it.
* A run without ``--resume`` into a work dir that already holds checkpoints warns
  (it repoints ``last_checkpoint`` and overwrites same-named checkpoints) and says
  how to resume instead.
"""
import os
import os.path as osp
import re
import warnings
import zipfile
from typing import List, Optional, Tuple

from mmengine.config import Config

_NUMBERED = re.compile(r'^(iter|epoch)_(\d+)\.pth$')


class CorruptCheckpointError(RuntimeError):
    """A checkpoint file that is truncated or corrupt."""


def checkpoint_problem(path: str) -> Optional[str]:
    """What is wrong with a torch (zip) checkpoint file, or None if it is intact.

    Reads the archive's directory and checks every member's CRC (one pass over the
    file, no unpickling).
    """
    try:
        if os.path.getsize(path) == 0:
            return 'the file is empty'
        with zipfile.ZipFile(path) as archive:
            if not any(n.endswith('data.pkl') for n in archive.namelist()):
                return 'no data.pkl: not a torch checkpoint'
            bad = archive.testzip()
        if bad is not None:
            return f'member {bad} is corrupt (CRC mismatch)'
    except (zipfile.BadZipFile, EOFError, ValueError) as err:
        return f'truncated or not a torch zip checkpoint ({err})'
    except OSError as err:
        return f'cannot read it ({err})'
    return None


def numbered_checkpoints(work_dir: str) -> List[str]:
    """``iter_N.pth`` / ``epoch_N.pth`` of ``work_dir``, newest (largest N) first."""
    found: List[Tuple[int, str]] = []
    for name in os.listdir(work_dir):
        m = _NUMBERED.match(name)
        if m:
            found.append((int(m.group(2)), osp.join(work_dir, name)))
    return [p for _, p in sorted(found, reverse=True)]


def _last_checkpoint(work_dir: str) -> Optional[str]:
    """The path that ``<work_dir>/last_checkpoint`` names (MMEngine's pointer)."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        path = f.read().strip()
    return path or None


def remove_stale_tmp(work_dir: str) -> List[str]:
    """Removes ``*.pth.tmp`` files (a save killed half-way) and returns them."""
    removed = []
    for name in sorted(os.listdir(work_dir)):
        if name.endswith('.pth.tmp'):
            path = osp.join(work_dir, name)
            try:
                os.remove(path)
            except FileNotFoundError:  # another rank removed it
                continue
            removed.append(path)
            warnings.warn(f'removed {path}: a checkpoint half-written by a run killed '
                          'while saving')
    return removed


def _resume_candidates(work_dir: str) -> List[str]:
    latest = _last_checkpoint(work_dir)
    numbered = numbered_checkpoints(work_dir)
    out = [latest] if latest else []
    return out + [p for p in numbered if osp.abspath(p) != osp.abspath(latest or '')]


def prepare_work_dir(cfg: Config) -> None:
    """Runs the checks above on ``cfg.work_dir`` before the runner is built.

    With auto resume (``cfg.resume`` and no ``cfg.load_from``) it sets
    ``cfg.load_from`` to the newest intact checkpoint.

    Raises:
        CorruptCheckpointError: Every checkpoint to resume from is corrupt, or
            the explicitly given one is.
    """
    work_dir = cfg.get('work_dir')
    resume, load_from = cfg.get('resume', False), cfg.get('load_from')
    if resume and load_from:
        problem = checkpoint_problem(load_from) if osp.isfile(load_from) else None
        if problem:
            raise CorruptCheckpointError(f'cannot resume from {load_from}: {problem}')
        return
    if not work_dir or not osp.isdir(work_dir):
        return
    remove_stale_tmp(work_dir)
    candidates = _resume_candidates(work_dir)
    if not resume:
        if candidates:
            warnings.warn(
                f'{work_dir} already holds checkpoints (newest: {candidates[0]}); this run '
                'starts from scratch, repoints last_checkpoint and overwrites checkpoints of '
                'the same name. To continue the earlier run instead, pass --resume (or '
                f'--resume {candidates[0]}), or use another --work-dir.')
        return
    bad = []
    for path in candidates:
        problem = checkpoint_problem(path) if osp.isfile(path) else 'the file is missing'
        if problem is None:
            if bad:
                warnings.warn('skipping bad checkpoint(s): ' + '; '.join(
                    f'{p}: {why}' for p, why in bad) + f' -> resuming from the newest intact '
                    f'checkpoint {path}')
            cfg.load_from = path
            return
        bad.append((path, problem))
    if bad:
        raise CorruptCheckpointError('no intact checkpoint to resume from in '
                                     f'{work_dir}: ' + '; '.join(f'{p}: {why}' for p, why in bad))
