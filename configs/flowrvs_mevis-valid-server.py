# Inference on the MeViS valid split (no public GT): writes the server's submission
# (<video>/<exp_id>/<frame>.png, 0/255) and its zip.
#   tools/dist_test.sh configs/flowrvs_mevis-valid-server.py CKPT 8
_base_ = './flowrvs_mevis.py'
test_dataloader = dict(dataset=dict(split='valid'))
test_evaluator = dict(type='RVOSMetric', format_only=True,
                      outfile_prefix='work_dirs/flowrvs_mevis-valid-server/submission',
                      submission_layout='mevis')
