
import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmflowrvs.apis import fit_inside, inference_rvos, init_model, read_video

BASE_MODEL_CFG = 'configs/_base_/models/flowrvs_wan2.1_t2v_1.3b.py'


@pytest.fixture(scope='module')
def tiny_model(tiny_wan_dir):
    cfg = Config.fromfile(BASE_MODEL_CFG)
    cfg.model.text_encoder.max_length = 16
    return init_model(cfg, cfg_options={'model.pretrained': tiny_wan_dir})


def _frames(t=6, h=50, w=70):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(t)]


def test_fit_inside_reference_size():
    assert fit_inside(720, 1280) == (464, 832)
    assert fit_inside(480, 854) == (464, 832)
    assert fit_inside(1080, 1920, divisor=16) == (464, 832)
    assert fit_inside(50, 70) == (480, 672)


def test_inference_on_frame_list_folder_and_mp4(tiny_model, tmp_path):
    frames = _frames()
    masks = inference_rvos(tiny_model, frames, ['the red square', 'the blue circle'])
    assert len(masks) == 2
    assert all(m.shape == (6, 50, 70) and m.dtype == bool for m in masks)
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i, f in enumerate(frames):
        cv2.imwrite(str(folder / f'{i:05d}.png'), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    from_folder = inference_rvos(tiny_model, str(folder), 'the red square')
    assert np.array_equal(from_folder[0], masks[0])  # PNG is lossless
    mp4 = str(tmp_path / 'v.mp4')
    writer = cv2.VideoWriter(mp4, cv2.VideoWriter_fourcc(*'mp4v'), 5, (70, 50))
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    assert read_video(mp4)[0].shape == (50, 70, 3)
    assert inference_rvos(tiny_model, mp4, 'the red square')[0].shape == (6, 50, 70)


def test_bad_videos_and_prompts(tiny_model, tmp_path):
    with pytest.raises(ValueError, match='no frames'):
        inference_rvos(tiny_model, [], 'a dog')
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(ValueError, match='no frames'):
        inference_rvos(tiny_model, str(empty), 'a dog')
    broken = tmp_path / 'broken.mp4'
    broken.write_bytes(b'not a video at all')
    with pytest.raises(ValueError, match='broken.mp4'):
        inference_rvos(tiny_model, str(broken), 'a dog')
    with pytest.raises(FileNotFoundError):
        inference_rvos(tiny_model, str(tmp_path / 'missing.mp4'), 'a dog')
    with pytest.raises(ValueError, match='empty prompt'):
        inference_rvos(tiny_model, _frames(), ['a dog', ' '])


def test_init_model_missing_checkpoint(tiny_wan_dir):
    cfg = Config.fromfile(BASE_MODEL_CFG)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        init_model(cfg, 'nope.pth', cfg_options={'model.pretrained': tiny_wan_dir})


def test_inference_runs_the_config_test_pipeline(tiny_wan_dir):
    """The config's test resize (64 x 64 here) is what inference uses: one rule."""
    from mmflowrvs.apis.inference import build_inference_pipeline
    cfg = Config.fromfile('configs/quickstart/flowrvs_tiny_synthetic.py')
    assert 'inference_max_size' not in cfg
    steps = [type(t).__name__ for t in build_inference_pipeline(cfg).transforms]
    assert 'LoadRVOSFramesFromNDArray' in steps and 'LoadRVOSFrames' not in steps
    item = build_inference_pipeline(cfg)(dict(
        video_id='v', exp_id='*', frames=_frames(3, 50, 70), frame_ids=['0', '1', '2'],
        expressions=[dict(exp_id='0', expression='a', obj_ids=[], no_target=False)]))
    assert tuple(item['inputs'].shape) == (3, 3, 32, 64)  # inside 64 x 64, multiples of 16
    broken = Config(dict(test_dataloader=dict(dataset=dict(pipeline=[
        dict(type='UniformSampleFrames'), dict(type='PackRVOSInputs')]))))
    with pytest.raises(ValueError, match='LoadRVOSFrames'):
        build_inference_pipeline(broken)


def test_inference_windows(tiny_model):
    frames = _frames(t=9, h=20, w=30)
    one = inference_rvos(tiny_model, frames, ['a', 'b'])
    fits = inference_rvos(tiny_model, frames, ['a', 'b'], window=dict(frames=9, overlap=4))
    assert all(np.array_equal(x, y) for x, y in zip(one, fits))
    two = inference_rvos(tiny_model, frames, 'a', window=dict(frames=5, overlap=2))
    assert two[0].shape == (9, 20, 30)
    assert tiny_model.window is None  # the setting is only for that call
    with pytest.raises(ValueError, match=r'inference_rvos\(window=...\).frames'):
        inference_rvos(tiny_model, frames, 'a', window=dict(frames=6, overlap=2))
