# Small neural XPOS tagger for the EWT experiment (measurement only): lowercased word embeddings (count >= 2, UNK with
# word dropout) + char CNN on the form as written + 2-layer BiLSTM + softmax. Trains on EWT train only, CPU, 1 thread.
import sys, time, random, math, os, json, collections
import numpy as np, torch, torch.nn as nn
torch.set_num_threads(1)
D = '/work/shared/data/ud-english-ewt/'
OUT = sys.argv[1] if len(sys.argv) > 1 else '/work/.build/wt-neural/run1'
CFG = dict(wdim=100, cdim=32, cfil=100, cwid=3, hid=128, layers=2, drop=0.33, lr=2e-3, batch=32, budget_s=18*60,
           max_epochs=30, lower_p=0.25, seed=1, char='cnn', decay='8,14', init='')
for a in sys.argv[2:]:
    k, v = a.split('='); CFG[k] = type(CFG[k])(v)
print(CFG, flush=True)
random.seed(CFG['seed']); torch.manual_seed(CFG['seed'])

def read(path):
    sents, cur = [], []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line:
            if cur: sents.append(cur); cur = []
            continue
        if line.startswith('#'): continue
        f = line.split('\t')
        if '-' in f[0] or '.' in f[0]: continue
        cur.append((f[1], f[4]))
    if cur: sents.append(cur)
    return sents
train, dev = read(D + 'en_ewt-ud-train.conllu'), read(D + 'en_ewt-ud-dev.conllu')
print('train', len(train), sum(map(len, train)), 'dev', len(dev), sum(map(len, dev)), flush=True)
tags = open('/work/.build/wt-neural/perc.dev.written.tsv').readline().rstrip('\n').split('\t')[1].split(' ')
tid = {t: i for i, t in enumerate(tags)}
wc = collections.Counter(w.lower() for s in train for w, _ in s)
words = ['<pad>', '<unk>'] + sorted(w for w, c in wc.items() if c >= 2)
wid = {w: i for i, w in enumerate(words)}
cc = collections.Counter(ch for s in train for w, _ in s for ch in w)
chars = ['<pad>', '<unk>', '<bow>', '<eow>'] + sorted(c for c, n in cc.items() if n >= 2)
cid = {c: i for i, c in enumerate(chars)}
print('vocab', len(words), 'chars', len(chars), flush=True)

class Tagger(nn.Module):
    def __init__(s):
        super().__init__()
        s.wemb = nn.Embedding(len(words), CFG['wdim'], padding_idx=0)
        s.cemb = nn.Embedding(len(chars), CFG['cdim'], padding_idx=0)
        if CFG['char'] == 'cnn':
            s.conv = nn.Conv1d(CFG['cdim'], CFG['cfil'], CFG['cwid'], padding=1)
            cout = CFG['cfil']
        else:
            s.clstm = nn.LSTM(CFG['cdim'], CFG['cfil'] // 2, batch_first=True, bidirectional=True)
            cout = CFG['cfil'] // 2 * 2
        s.drop = nn.Dropout(CFG['drop'])
        s.lstm = nn.LSTM(CFG['wdim'] + cout, CFG['hid'], num_layers=CFG['layers'], bidirectional=True,
                         batch_first=True, dropout=CFG['drop'])
        s.out = nn.Linear(2 * CFG['hid'], len(tags))
    def charenc(s, ch, clen):  # ch: U x L unique words
        e = s.cemb(ch)
        if CFG['char'] == 'cnn':
            h = torch.relu(s.conv(e.transpose(1, 2)))
            h = h.masked_fill((ch == 0).unsqueeze(1), -1e4)
            return h.max(2).values
        p = nn.utils.rnn.pack_padded_sequence(e, clen, batch_first=True, enforce_sorted=False)
        _, (hn, _) = s.clstm(p)
        return torch.cat([hn[0], hn[1]], 1)
    def forward(s, w, ch, clen, inv, lens):
        c = s.charenc(ch, clen)[inv]          # B x T x C
        x = s.drop(torch.cat([s.wemb(w), c], 2))
        p = nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        h, _ = s.lstm(p)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True)
        return s.out(s.drop(h))

def batchify(sents, training):
    forms = [[w for w, _ in s] for s in sents]
    if training:
        forms = [[w.lower() for w in f] if random.random() < CFG['lower_p'] else f for f in forms]
    lens = [len(f) for f in forms]; T = max(lens); B = len(forms)
    w = torch.zeros(B, T, dtype=torch.long); y = torch.full((B, T), -100, dtype=torch.long)
    uniq = {}; inv = torch.zeros(B, T, dtype=torch.long)
    for b, f in enumerate(forms):
        for t, form in enumerate(f):
            lw = form.lower(); i = wid.get(lw, 1)
            if training and i > 1 and random.random() < 0.25 / (0.25 + wc[lw]): i = 1
            w[b, t] = i
            inv[b, t] = uniq.setdefault(form, len(uniq))
            y[b, t] = tid[sents[b][t][1]]
    ul = list(uniq); L = max(len(u) for u in ul) + 2; L = min(L, 32)
    ch = torch.zeros(len(ul), L, dtype=torch.long); clen = []
    for k, u in enumerate(ul):
        seq = [2] + [cid.get(c, 1) for c in u][:L - 2] + [3]
        ch[k, :len(seq)] = torch.tensor(seq); clen.append(len(seq))
    return w, ch, torch.tensor(clen), inv, torch.tensor(lens), y

model = Tagger()
if CFG['init']: model.load_state_dict(torch.load(CFG['init'])); print('warm start from', CFG['init'], flush=True)
print('params', sum(p.numel() for p in model.parameters()), flush=True)
opt = torch.optim.Adam(model.parameters(), lr=CFG['lr'], betas=(0.9, 0.9))
lossf = nn.CrossEntropyLoss(ignore_index=-100)

def evaluate(lower):
    model.eval(); out = []; ok = n = 0; t0 = time.time()
    with torch.no_grad():
        order = sorted(range(len(dev)), key=lambda i: len(dev[i]))
        res = [None] * len(dev)
        for k in range(0, len(order), 64):
            idx = order[k:k + 64]
            ss = [[(w.lower() if lower else w, t) for w, t in dev[i]] for i in idx]
            w, ch, clen, inv, lens, y = batchify(ss, False)
            lp = torch.log_softmax(model(w, ch, clen, inv, lens), 2)
            for j, i in enumerate(idx): res[i] = lp[j, :len(dev[i])].numpy()
    for i, s in enumerate(dev):
        p = res[i].argmax(1); g = np.array([tid[t] for _, t in s]); ok += (p == g).sum(); n += len(s)
    model.train()
    return ok / n, res, time.time() - t0

t_start = time.time(); best = -1; hist = []
sorted_train = sorted(train, key=len)
for ep in range(1, CFG['max_epochs'] + 1):
    te = time.time()
    # buckets of similar length, shuffled
    chunks = [sorted_train[i:i + CFG['batch']] for i in range(0, len(sorted_train), CFG['batch'])]
    random.shuffle(chunks); tot = 0.0
    for bi, chunk in enumerate(chunks):
        w, ch, clen, inv, lens, y = batchify(chunk, True)
        logits = model(w, ch, clen, inv, lens)
        loss = lossf(logits.reshape(-1, len(tags)), y[:, :logits.shape[1]].reshape(-1))
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(model.parameters(), 5.0); opt.step()
        tot += loss.item()
    accw, resw, tw = evaluate(False); accl, resl, tl = evaluate(True)
    el = time.time() - t_start
    hist.append((ep, accw, accl, time.time() - te))
    print(f'epoch {ep}: loss {tot / len(chunks):.4f} dev written {accw:.4%} lower {accl:.4%} | epoch {time.time() - te:.0f}s, eval {tw:.1f}s, total {el:.0f}s', flush=True)
    if accw > best:
        best = accw
        np.save(OUT + '.written.npy', np.concatenate(resw)); np.save(OUT + '.lower.npy', np.concatenate(resl))
        torch.save(model.state_dict(), OUT + '.pt')
    if el + (el / ep) > CFG['budget_s']: break
    if str(ep) in CFG['decay'].split(','):
        for g in opt.param_groups: g['lr'] *= 0.5
json.dump(dict(cfg=CFG, hist=hist, best=best), open(OUT + '.json', 'w'))
print('done best', best, flush=True)
