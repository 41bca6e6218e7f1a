# Inference speed of a trained run (1 thread): batched dev and sentence-by-sentence; also MAC count per token.
import sys, time, json, torch, numpy as np
sys.argv = [sys.argv[0], '/tmp/unused'] + sys.argv[2:] if len(sys.argv) > 2 else [sys.argv[0], '/tmp/unused']
RUN = open('/tmp/speed_run').read().strip()
cfg = json.load(open(RUN + '.json'))['cfg']
sys.argv += [f'{k}={v}' for k, v in cfg.items() if k in ('char', 'cfil', 'hid', 'layers', 'wdim', 'cdim')]
src = open('/work/.build/wt-neural/py/ntag.py').read().split('model = Tagger()')[0]
exec(src)
model = Tagger(); model.load_state_dict(torch.load(RUN + '.pt')); model.eval()
def run(bs):
    t0 = time.time(); n = 0
    with torch.no_grad():
        for k in range(0, len(dev), bs):
            ss = dev[k:k + bs]; w, ch, clen, inv, lens, y = batchify(ss, False)
            model(w, ch, clen, inv, lens).argmax(2); n += sum(map(len, ss))
    return n / (time.time() - t0)
for bs in (64, 1):
    print(f'batch {bs}: {run(bs):,.0f} tokens/s (1 thread, incl. python batching)', flush=True)
H, L, Wd = cfg['hid'], cfg['layers'], cfg['wdim']; C = cfg['cfil']
inp = Wd + C; macs = 0
for l in range(L):
    macs += 2 * 4 * H * ((inp if l == 0 else 2 * H) + H)
macs += 2 * H * len(tags)
charm = (8 * cfg['cdim'] * 3 * C) if cfg['char'] == 'cnn' else 8 * 2 * 4 * (C // 2) * (cfg['cdim'] + C // 2)
print(f'MACs/token: sentence BiLSTM+output {macs:,}, char encoder ~{charm:,} (8 chars, per unique word)')
