"""RobertaTextEncoder on the tiny offline RoBERTa folder (tools/misc/make_tiny_roberta.py)."""
import pytest
import torch

from mmflowrvs.registry import MODELS


def test_tiny_roberta_folder_is_a_roberta_with_a_byte_level_bpe(tiny_roberta_dir):
    from transformers import AutoModel, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(tiny_roberta_dir)
    model = AutoModel.from_pretrained(tiny_roberta_dir)
    assert model.config.model_type == 'roberta' and model.pooler is not None
    assert (tok.bos_token_id, tok.pad_token_id, tok.eos_token_id) == (0, 1, 2)
    # the synthetic benchmark's words are single tokens after a space (RoBERTa's 'Ġ')
    assert tok.tokenize('the red circle') == ['the', 'Ġred', 'Ġcircle']
    # words outside the list still tokenize (bytes), never to <unk>
    ids = tok('zebra!')['input_ids']
    assert tok.unk_token_id not in ids and len(ids) > 3


def test_encoder_returns_word_mask_and_sentence_features(tiny_roberta_dir):
    enc = MODELS.build(dict(type='RobertaTextEncoder', pretrained=tiny_roberta_dir))
    out = enc(['the red circle', 'the big blue square on the left'])
    b, length, dims = out['words'].shape
    assert (b, dims) == (2, enc.embed_dim) and out['sentence'].shape == (2, dims)
    assert out['pad_mask'].dtype == torch.bool and out['pad_mask'].shape == (2, length)
    assert out['pad_mask'][0].any() and not out['pad_mask'][1].any()  # shorter one padded
    assert out['words'].requires_grad  # trained with the model by default


def test_frozen_encoder_has_no_gradients_and_stays_in_eval(tiny_roberta_dir):
    enc = MODELS.build(dict(type='RobertaTextEncoder', pretrained=tiny_roberta_dir,
                            freeze=True))
    enc.train()
    assert not enc.encoder.training
    assert not any(p.requires_grad for p in enc.parameters())
    assert not enc(['a dog'])['words'].requires_grad


def test_long_prompts_are_cut_with_a_warning(tiny_roberta_dir):
    enc = MODELS.build(dict(type='RobertaTextEncoder', pretrained=tiny_roberta_dir,
                            max_length=6))
    with pytest.warns(UserWarning, match='truncated'):
        out = enc(['the red circle that moves to the left of the square'])
    assert out['words'].shape[1] == 6


def test_bad_folder_length_and_prompt_are_named(tiny_roberta_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match='make_tiny_roberta'):
        MODELS.build(dict(type='RobertaTextEncoder', pretrained=str(tmp_path)))
    with pytest.raises(ValueError, match='max_length=500'):
        MODELS.build(dict(type='RobertaTextEncoder', pretrained=tiny_roberta_dir,
                          max_length=500))
    enc = MODELS.build(dict(type='RobertaTextEncoder', pretrained=tiny_roberta_dir))
    with pytest.raises(ValueError, match='empty referring expression'):
        enc(['  '])
