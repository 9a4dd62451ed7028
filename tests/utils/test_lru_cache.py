from mmflowrvs.utils.lru_cache import LRUCache


def test_misses_are_computed_once_in_one_batch_and_the_oldest_is_evicted():
    calls = []

    def compute(idx):
        calls.append(list(idx))
        return [keys[i] * 10 for i in idx]

    cache = LRUCache(2)
    keys = ['a', 'b', 'a']
    assert cache.get_or_compute(keys, compute) == ['a' * 10, 'b' * 10, 'a' * 10]
    assert calls == [[0, 1]]  # the repeated 'a' is computed once
    keys = ['c', 'a']
    cache.get_or_compute(keys, compute)
    assert calls[-1] == [0] and len(cache) == 2
    assert 'b' not in cache and 'a' in cache and 'c' in cache  # 'b' was least recent


def test_size_zero_computes_without_storing():
    cache = LRUCache(0)
    keys = ['x']
    assert cache.get_or_compute(keys, lambda idx: [1 for _ in idx]) == [1]
    assert len(cache) == 0
